import { describe, expect, it } from "vitest";
import { cappedPageRequest, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, pageWindow } from "./page.js";

describe("pageWindow", () => {
  it("turns page number and size into limit and offset", () => {
    expect(pageWindow({ pageNumber: 1, pageSize: 20 })).toEqual({ limit: 20, offset: 0 });
    expect(pageWindow({ pageNumber: 3, pageSize: 10 })).toEqual({ limit: 10, offset: 20 });
    expect(pageWindow(undefined)).toEqual({ limit: 20, offset: 0 });
  });

  it("refuses bad numbers, naming the field", () => {
    expect(() => pageWindow({ pageNumber: 0, pageSize: 10 })).toThrow(
      expect.objectContaining({ field: "pageNumber" }),
    );
    expect(() => pageWindow({ pageNumber: 1, pageSize: MAX_PAGE_SIZE + 1 })).toThrow(
      expect.objectContaining({ field: "pageSize", code: "invalid" }),
    );
    expect(() => pageWindow({ pageNumber: 1.5, pageSize: 10 })).toThrow(
      expect.objectContaining({ field: "pageNumber" }),
    );
    expect(() => pageWindow({ pageNumber: 1e18, pageSize: 10 })).toThrow(
      expect.objectContaining({ field: "pageNumber", code: "invalid" }),
    );
  });

  it("keeps the largest page's offset an exact whole number", () => {
    const { offset } = pageWindow({ pageNumber: MAX_PAGE_NUMBER, pageSize: MAX_PAGE_SIZE });
    expect(Number.isSafeInteger(offset)).toBe(true);
  });
});

describe("cappedPageRequest", () => {
  it("caps the size at the maximum and keeps smaller sizes and the number", () => {
    expect(cappedPageRequest(2, 500)).toEqual({ pageNumber: 2, pageSize: MAX_PAGE_SIZE });
    expect(cappedPageRequest(1, Number.MAX_SAFE_INTEGER).pageSize).toBe(MAX_PAGE_SIZE);
    expect(cappedPageRequest(3, 7)).toEqual({ pageNumber: 3, pageSize: 7 });
  });
});
