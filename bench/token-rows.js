// Benchmarks, support: rows of the tokens table for benches that fill a store directly.

/** A live, never-used token row (no expiry, not revoked or rotated) created at `now`. */
export function activeTokenRow({ id, organizationId, apiKeyId, publicId, secretHash, name, createdBy, now }) {
  return {
    id,
    organization_id: organizationId,
    api_key_id: apiKeyId,
    public_id: publicId,
    secret_hash: secretHash,
    name,
    description: "",
    tags: "{}",
    valid_from: now,
    valid_to: null,
    scheduled_expire_time: null,
    revoked_at: null,
    rotated_from_id: null,
    rotated_to_id: null,
    created_at: now,
    updated_at: now,
    created_by: createdBy,
    last_used_at: null,
  };
}
