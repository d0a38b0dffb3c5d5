# Admission framework for confidential containers (a benchmark policy of our own).
#
# The host asks before each agent operation of a confidential pod (create a container, run a
# process in it, copy a file in, pull an image, ...). The decision combines the operation's own
# checks with the rules of the tenant namespace the pod runs in (data[<namespace>].settings) and
# the fleet-wide catalogue of images and runtimes (data.catalogue).
#
# The query is data.admission.framework.decision: {allow, violations, warnings, mutations, ...}.
package admission.framework

import rego.v1

# -----------------------------------------------------------------------------------------------
# Decision

default allow := false

allow if {
	known_operation
	namespace_known
	count(violations) == 0
}

decision := {
	"allow": allow,
	"operation": input.operation,
	"namespace": input.namespace,
	"violations": sort([v | some v in violations]),
	"warnings": sort([w | some w in warnings]),
	"mutations": mutations,
	"audit": audit_record,
}

known_operation if input.operation in supported_operations

supported_operations := {
	"CreateContainer",
	"ExecProcess",
	"CopyFile",
	"PullImage",
	"UpdateInterfaces",
	"UpdateRoutes",
	"SignalProcess",
	"ReadStream",
}

violations contains msg if {
	not known_operation
	msg := sprintf("operation %q is not supported by the framework", [input.operation])
}

violations contains msg if {
	not namespace_known
	msg := sprintf("namespace %q has no settings", [input.namespace])
}

# -----------------------------------------------------------------------------------------------
# Namespace settings: data[<namespace>].settings, with fleet defaults for what it leaves out

namespace_known if data[input.namespace].settings

raw_settings := data[input.namespace].settings

settings := object.union(data.catalogue.defaults, raw_settings)

setting(name) := settings[name]

setting_or(name, fallback) := object.get(settings, name, fallback)

enforcement_mode := setting_or("enforcement", "enforce")

dry_run if enforcement_mode == "audit"

tenant_tier := setting_or("tier", "standard")

tier_limits := data.catalogue.tiers[tenant_tier]

namespace_labels := labels if {
	labels := data[input.namespace].labels
} else := {}

namespace_owner := object.get(namespace_labels, "owner", "unknown")

# -----------------------------------------------------------------------------------------------
# The pod and its containers

pod := object.get(input, "pod", {})

pod_name := object.get(pod, "name", "")

pod_labels := object.get(pod, "labels", {})

pod_annotations := object.get(pod, "annotations", {})

containers := object.get(pod, "containers", [])

init_containers := object.get(pod, "initContainers", [])

all_containers := array.concat(init_containers, containers)

container_names := {c.name | some c in all_containers}

container_by_name := {c.name: c | some c in all_containers}

target_container := container_by_name[input.container_id]

volumes := {v.name: v | some v in object.get(pod, "volumes", [])}

# -----------------------------------------------------------------------------------------------
# Helpers: strings, lists, numbers

has_prefix_in(s, prefixes) if {
	some p in prefixes
	startswith(s, p)
}

has_suffix_in(s, suffixes) if {
	some x in suffixes
	endswith(s, x)
}

matches_any(s, patterns) if {
	some p in patterns
	regex.match(p, s)
}

glob_any(s, globs) if {
	some g in globs
	glob.match(g, ["/"], s)
}

is_empty(coll) if count(coll) == 0

non_empty(coll) if count(coll) > 0

lower_all(xs) := [lower(x) | some x in xs]

trimmed(s) := trim_space(s)

key_value(s) := [k, v] if {
	parts := split(s, "=")
	count(parts) >= 2
	k := parts[0]
	v := concat("=", array.slice(parts, 1, count(parts)))
}

key_value(s) := [s, ""] if not contains(s, "=")

quoted_list(xs) := concat(", ", [sprintf("%q", [x]) | some x in xs])

percent(part, whole) := 0 if whole == 0

percent(part, whole) := round((part * 100) / whole) if whole != 0

bounded(x, lo, hi) if {
	x >= lo
	x <= hi
}

# -----------------------------------------------------------------------------------------------
# Helpers: versions (semver), with the "v" prefix images and runtimes often carry

normalized_version(v) := substring(v, 1, -1) if startswith(v, "v")

normalized_version(v) := v if not startswith(v, "v")

valid_version(v) if semver.is_valid(normalized_version(v))

version_at_least(v, minimum) if {
	valid_version(v)
	semver.compare(normalized_version(v), normalized_version(minimum)) >= 0
}

version_below(v, maximum) if {
	valid_version(v)
	semver.compare(normalized_version(v), normalized_version(maximum)) < 0
}

version_in_range(v, range) if {
	version_at_least(v, range.min)
	version_below(v, range.below)
}

newest(versions) := max_v if {
	valid := [normalized_version(v) | some v in versions; valid_version(v)]
	count(valid) > 0
	max_v := [v |
		some v in valid
		every w in valid {
			semver.compare(v, w) >= 0
		}
	][0]
}

major(v) := to_number(split(normalized_version(v), ".")[0]) if valid_version(v)

same_major(a, b) if major(a) == major(b)

# -----------------------------------------------------------------------------------------------
# Images: registry, repository, tag, digest

image_parts(ref) := parts if {
	contains(ref, "@")
	at := split(ref, "@")
	name_parts := repo_and_tag(at[0])
	parts := object.union(name_parts, {"digest": at[1]})
}

image_parts(ref) := parts if {
	not contains(ref, "@")
	parts := object.union(repo_and_tag(ref), {"digest": ""})
}

repo_and_tag(name) := {"registry": registry, "repository": repository, "tag": tag} if {
	segments := split(name, "/")
	count(segments) > 1
	is_registry_host(segments[0])
	registry := segments[0]
	rest := concat("/", array.slice(segments, 1, count(segments)))
	[repository, tag] := split_tag(rest)
}

repo_and_tag(name) := {"registry": "docker.io", "repository": repository, "tag": tag} if {
	segments := split(name, "/")
	not registry_prefixed(segments)
	[repository, tag] := split_tag(name)
}

registry_prefixed(segments) if {
	count(segments) > 1
	is_registry_host(segments[0])
}

is_registry_host(s) if contains(s, ".")

is_registry_host(s) if contains(s, ":")

is_registry_host("localhost")

split_tag(s) := [repo, tag] if {
	colon := last_index(s, ":")
	colon > last_index(s, "/")
	repo := substring(s, 0, colon)
	tag := substring(s, colon + 1, -1)
}

split_tag(s) := [s, "latest"] if not tag_after_last_slash(s)

tag_after_last_slash(s) if last_index(s, ":") > last_index(s, "/")

last_index(s, sub) := i if {
	hits := indexof_n(s, sub)
	count(hits) > 0
	i := max(hits)
}

last_index(s, sub) := -1 if count(indexof_n(s, sub)) == 0

# Each container's image, parsed once per decision.
images := {c.name: image_parts(c.image) | some c in all_containers}

image_of(c) := images[c.name]

family_of_repository := {repository: family |
	some family, spec in data.catalogue.images
	some repository in spec.repositories
}

image_family(img) := family_of_repository[img.repository]

latest_release := {family: newest(spec.releases) | some family, spec in data.catalogue.images}

registry_allowed(img) if img.registry in setting("registries")

registry_allowed(img) if {
	some pattern in setting_or("registry_patterns", [])
	glob.match(pattern, ["."], img.registry)
}

pinned_by_digest(img) if startswith(img.digest, "sha256:")

digest_well_formed(img) if regex.match(`^sha256:[a-f0-9]{64}$`, img.digest)

mutable_tag(img) if img.tag in {"latest", "stable", "edge", "main", "master"}

image_version(img) := img.tag if valid_version(img.tag)

image_trusted(img) if {
	family := image_family(img)
	spec := data.catalogue.images[family]
	version_at_least(image_version(img), spec.minimum)
	not image_version(img) in object.get(spec, "revoked", [])
}

image_revoked(img) if {
	family := image_family(img)
	image_version(img) in object.get(data.catalogue.images[family], "revoked", [])
}

image_outdated(img) if {
	family := image_family(img)
	spec := data.catalogue.images[family]
	version_below(image_version(img), spec.minimum)
}

image_behind_latest(img) if {
	family := image_family(img)
	semver.compare(normalized_version(image_version(img)), latest_release[family]) < 0
}

# -----------------------------------------------------------------------------------------------
# Image violations (every operation that names containers)

violations contains msg if {
	some c in all_containers
	img := image_of(c)
	not registry_allowed(img)
	msg := sprintf("container %q: registry %q is not allowed in namespace %q", [c.name, img.registry, input.namespace])
}

violations contains msg if {
	setting("require_digest")
	some c in all_containers
	img := image_of(c)
	not pinned_by_digest(img)
	msg := sprintf("container %q: image %q must be pinned by digest", [c.name, c.image])
}

violations contains msg if {
	some c in all_containers
	img := image_of(c)
	pinned_by_digest(img)
	not digest_well_formed(img)
	msg := sprintf("container %q: digest %q is not a sha256 digest", [c.name, img.digest])
}

violations contains msg if {
	not setting("allow_mutable_tags")
	some c in all_containers
	img := image_of(c)
	mutable_tag(img)
	not pinned_by_digest(img)
	msg := sprintf("container %q: mutable tag %q", [c.name, img.tag])
}

violations contains msg if {
	some c in all_containers
	img := image_of(c)
	image_revoked(img)
	msg := sprintf("container %q: image version %s is revoked", [c.name, img.tag])
}

violations contains msg if {
	some c in all_containers
	img := image_of(c)
	image_outdated(img)
	family := image_family(img)
	msg := sprintf(
		"container %q: %s %s is older than the minimum %s",
		[c.name, family, img.tag, data.catalogue.images[family].minimum],
	)
}

violations contains msg if {
	setting("known_images_only")
	some c in all_containers
	img := image_of(c)
	not image_family(img)
	msg := sprintf("container %q: image %q is not in the catalogue", [c.name, img.repository])
}

warnings contains msg if {
	some c in all_containers
	img := image_of(c)
	image_trusted(img)
	image_behind_latest(img)
	msg := sprintf("container %q: %s is not the newest release", [c.name, img.tag])
}

# -----------------------------------------------------------------------------------------------
# Runtime (the guest agent and the kata runtime versions)

runtime := object.get(input, "runtime", {})

agent_version := object.get(runtime, "agent_version", "0.0.0")

runtime_version := object.get(runtime, "version", "0.0.0")

runtime_supported if {
	some range in data.catalogue.runtimes.supported
	version_in_range(runtime_version, range)
}

agent_supported if version_at_least(agent_version, setting_or("min_agent_version", data.catalogue.runtimes.min_agent))

violations contains msg if {
	not valid_version(runtime_version)
	msg := sprintf("runtime version %q is not a semantic version", [runtime_version])
}

violations contains msg if {
	valid_version(runtime_version)
	not runtime_supported
	msg := sprintf("runtime %s is outside every supported range", [runtime_version])
}

violations contains msg if {
	not agent_supported
	msg := sprintf("agent %s is older than %s", [agent_version, setting_or("min_agent_version", data.catalogue.runtimes.min_agent)])
}

warnings contains msg if {
	runtime_supported
	some range in data.catalogue.runtimes.deprecated
	version_in_range(runtime_version, range)
	msg := sprintf("runtime %s is deprecated (%s)", [runtime_version, range.note])
}

# -----------------------------------------------------------------------------------------------
# Security context

security_context(c) := object.get(c, "securityContext", {})

pod_security_context := object.get(pod, "securityContext", {})

run_as_user(c) := u if {
	u := security_context(c).runAsUser
} else := u if {
	u := pod_security_context.runAsUser
} else := -1

runs_as_root(c) if run_as_user(c) == 0

runs_as_root(c) if {
	run_as_user(c) == -1
	not object.get(security_context(c), "runAsNonRoot", object.get(pod_security_context, "runAsNonRoot", false))
}

privileged(c) if security_context(c).privileged == true

escalation_allowed(c) if object.get(security_context(c), "allowPrivilegeEscalation", true) == true

read_only_root(c) if security_context(c).readOnlyRootFilesystem == true

capabilities(c) := object.get(security_context(c), "capabilities", {})

added_capabilities(c) := {upper(trim_prefix(x, "CAP_")) | some x in object.get(capabilities(c), "add", [])}

dropped_capabilities(c) := {upper(trim_prefix(x, "CAP_")) | some x in object.get(capabilities(c), "drop", [])}

drops_all(c) if "ALL" in dropped_capabilities(c)

allowed_capabilities := {upper(x) | some x in setting_or("allowed_capabilities", [])}

forbidden_capabilities(c) := added_capabilities(c) - allowed_capabilities

seccomp_profile(c) := p if {
	p := security_context(c).seccompProfile.type
} else := p if {
	p := pod_security_context.seccompProfile.type
} else := "Unconfined"

violations contains msg if {
	not setting("allow_root")
	some c in all_containers
	runs_as_root(c)
	msg := sprintf("container %q: runs as root", [c.name])
}

violations contains msg if {
	some c in all_containers
	privileged(c)
	not c.name in setting_or("privileged_containers", [])
	msg := sprintf("container %q: privileged containers are not allowed", [c.name])
}

violations contains msg if {
	some c in containers
	escalation_allowed(c)
	setting("deny_privilege_escalation")
	msg := sprintf("container %q: allowPrivilegeEscalation must be false", [c.name])
}

violations contains msg if {
	some c in all_containers
	forbidden := forbidden_capabilities(c)
	count(forbidden) > 0
	msg := sprintf("container %q: capabilities %s are not allowed", [c.name, quoted_list(sort([x | some x in forbidden]))])
}

violations contains msg if {
	setting("require_drop_all")
	some c in all_containers
	not drops_all(c)
	msg := sprintf("container %q: must drop ALL capabilities", [c.name])
}

violations contains msg if {
	some c in all_containers
	not seccomp_profile(c) in {"RuntimeDefault", "Localhost"}
	msg := sprintf("container %q: seccomp profile %q", [c.name, seccomp_profile(c)])
}

warnings contains msg if {
	some c in containers
	not read_only_root(c)
	msg := sprintf("container %q: root filesystem is writable", [c.name])
}

# -----------------------------------------------------------------------------------------------
# Environment variables

env_of(c) := {e.name: object.get(e, "value", "") | some e in object.get(c, "env", [])}

env_rules := setting_or("env", {"allowed": [], "patterns": [], "forbidden_values": []})

env_name_allowed(name) if name in env_rules.allowed

env_name_allowed(name) if matches_any(name, env_rules.patterns)

env_name_allowed(name) if startswith(name, "KUBERNETES_")

secret_looking(value) if matches_any(value, data.catalogue.secret_patterns)

env_value_forbidden(value) if {
	some f in env_rules.forbidden_values
	contains(lower(value), lower(f))
}

violations contains msg if {
	some c in all_containers
	some name, _ in env_of(c)
	not env_name_allowed(name)
	msg := sprintf("container %q: environment variable %q is not allowed", [c.name, name])
}

violations contains msg if {
	some c in all_containers
	some name, value in env_of(c)
	env_value_forbidden(value)
	msg := sprintf("container %q: environment variable %q has a forbidden value", [c.name, name])
}

violations contains msg if {
	some c in all_containers
	some name, value in env_of(c)
	secret_looking(value)
	msg := sprintf("container %q: environment variable %q holds what looks like a secret", [c.name, name])
}

warnings contains msg if {
	some c in containers
	env := env_of(c)
	count(env) > setting_or("max_env", 64)
	msg := sprintf("container %q: %d environment variables", [c.name, count(env)])
}

# -----------------------------------------------------------------------------------------------
# Mounts and volumes

mounts_of(c) := object.get(c, "volumeMounts", [])

volume_type(v) := t if {
	some t in ["emptyDir", "configMap", "secret", "hostPath", "persistentVolumeClaim", "projected", "csi"]
	object.get(v, t, null) != null
}

mount_volume(m) := volumes[m.name]

mount_type(m) := volume_type(mount_volume(m))

allowed_volume_types := {t | some t in setting_or("volume_types", ["emptyDir", "configMap", "secret", "projected"])}

sandbox_path(p) if has_prefix_in(p, data.catalogue.sandbox_paths)

host_path_allowed(path) if glob_any(path, setting_or("host_paths", []))

violations contains msg if {
	some c in all_containers
	some m in mounts_of(c)
	not mount_volume(m)
	msg := sprintf("container %q: mount %q names no volume", [c.name, m.name])
}

violations contains msg if {
	some c in all_containers
	some m in mounts_of(c)
	t := mount_type(m)
	not t in allowed_volume_types
	msg := sprintf("container %q: volume %q of type %s is not allowed", [c.name, m.name, t])
}

violations contains msg if {
	some c in all_containers
	some m in mounts_of(c)
	mount_type(m) == "hostPath"
	path := mount_volume(m).hostPath.path
	not host_path_allowed(path)
	msg := sprintf("container %q: host path %q is not allowed", [c.name, path])
}

violations contains msg if {
	some c in all_containers
	some m in mounts_of(c)
	sandbox_path(m.mountPath)
	not object.get(m, "readOnly", false)
	msg := sprintf("container %q: %s must be mounted read-only", [c.name, m.mountPath])
}

violations contains msg if {
	some c in all_containers
	paths := [m.mountPath | some m in mounts_of(c)]
	some i, p in paths
	some j, q in paths
	i < j
	p == q
	msg := sprintf("container %q: %s is mounted twice", [c.name, p])
}

# -----------------------------------------------------------------------------------------------
# Resources

resources(c) := object.get(c, "resources", {})

limits(c) := object.get(resources(c), "limits", {})

requests(c) := object.get(resources(c), "requests", {})

cpu_millis(q) := to_number(trim_suffix(q, "m")) if endswith(q, "m")

cpu_millis(q) := to_number(q) * 1000 if not endswith(q, "m")

memory_bytes(q) := units.parse_bytes(q)

total_cpu_limit := sum([cpu_millis(limits(c).cpu) | some c in containers; limits(c).cpu])

total_memory_limit := sum([memory_bytes(limits(c).memory) | some c in containers; limits(c).memory])

violations contains msg if {
	some c in containers
	not limits(c).memory
	msg := sprintf("container %q: no memory limit", [c.name])
}

violations contains msg if {
	some c in containers
	not limits(c).cpu
	msg := sprintf("container %q: no cpu limit", [c.name])
}

violations contains msg if {
	total_cpu_limit > tier_limits.cpu_millis
	msg := sprintf("pod: %d mCPU exceeds the %s tier's %d", [total_cpu_limit, tenant_tier, tier_limits.cpu_millis])
}

violations contains msg if {
	total_memory_limit > units.parse_bytes(tier_limits.memory)
	msg := sprintf("pod: memory limits exceed the %s tier's %s", [tenant_tier, tier_limits.memory])
}

violations contains msg if {
	some c in containers
	limits(c).memory
	requests(c).memory
	memory_bytes(requests(c).memory) > memory_bytes(limits(c).memory)
	msg := sprintf("container %q: memory request above its limit", [c.name])
}

warnings contains msg if {
	some c in containers
	limits(c).cpu
	requests(c).cpu
	percent(cpu_millis(requests(c).cpu), cpu_millis(limits(c).cpu)) < 10
	msg := sprintf("container %q: cpu request under 10%% of its limit", [c.name])
}

# -----------------------------------------------------------------------------------------------
# Labels, annotations, ownership

required_labels := {l | some l in setting_or("required_labels", [])}

missing_labels := {l | some l in required_labels; not pod_labels[l]}

annotation_key_valid(k) if regex.match(`^([a-z0-9.-]+/)?[A-Za-z0-9_.-]{1,63}$`, k)

team_of_pod := object.get(pod_labels, "team", "")

team_allowed if team_of_pod in data[input.namespace].teams

violations contains msg if {
	count(missing_labels) > 0
	msg := sprintf("pod %q: missing labels %s", [pod_name, quoted_list(sort([l | some l in missing_labels]))])
}

violations contains msg if {
	some k, _ in pod_annotations
	not annotation_key_valid(k)
	msg := sprintf("pod %q: annotation key %q is not valid", [pod_name, k])
}

violations contains msg if {
	setting("enforce_teams")
	not team_allowed
	msg := sprintf("pod %q: team %q may not deploy to %q", [pod_name, team_of_pod, input.namespace])
}

warnings contains msg if {
	namespace_owner == "unknown"
	msg := sprintf("namespace %q has no owner label", [input.namespace])
}

# -----------------------------------------------------------------------------------------------
# Networking

host_network if pod.hostNetwork == true

host_pid if pod.hostPID == true

host_ipc if pod.hostIPC == true

ports_of(c) := [p.containerPort | some p in object.get(c, "ports", [])]

port_allowed(p) if p in setting_or("ports", [])

port_allowed(p) if {
	some range in setting_or("port_ranges", [])
	bounded(p, range[0], range[1])
}

violations contains "pod: host network is not allowed" if {
	host_network
	not setting("allow_host_network")
}

violations contains "pod: host PID namespace is not allowed" if host_pid

violations contains "pod: host IPC namespace is not allowed" if host_ipc

violations contains msg if {
	some c in containers
	some p in ports_of(c)
	not port_allowed(p)
	msg := sprintf("container %q: port %d is not allowed", [c.name, p])
}

# -----------------------------------------------------------------------------------------------
# Operation: CreateContainer (the container must be one of the pod's, with the same image)

create_request := object.get(input, "request", {})

violations contains msg if {
	input.operation == "CreateContainer"
	not target_container
	msg := sprintf("CreateContainer: %q is not a container of pod %q", [input.container_id, pod_name])
}

violations contains msg if {
	input.operation == "CreateContainer"
	c := target_container
	create_request.image != c.image
	msg := sprintf("CreateContainer: image %q differs from the pod spec's %q", [create_request.image, c.image])
}

violations contains msg if {
	input.operation == "CreateContainer"
	c := target_container
	args := object.get(create_request, "args", [])
	expected := array.concat(object.get(c, "command", []), object.get(c, "args", []))
	count(expected) > 0
	args != expected
	msg := sprintf("CreateContainer: %q runs %v, the pod spec says %v", [c.name, args, expected])
}

violations contains msg if {
	input.operation == "CreateContainer"
	some name, value in object.get(create_request, "env", {})
	spec_env := env_of(target_container)
	not spec_env[name]
	not env_name_allowed(name)
	msg := sprintf("CreateContainer: variable %q=%q was not in the pod spec", [name, value])
}

# -----------------------------------------------------------------------------------------------
# Operation: ExecProcess (only commands the namespace allows, per container)

exec_command := object.get(object.get(input, "request", {}), "command", [])

exec_program := exec_command[0]

exec_rules := setting_or("exec", {})

exec_allowed_for(container) := object.get(exec_rules, container, object.get(exec_rules, "*", []))

exec_matches(cmd, rule) if {
	count(rule) == count(cmd)
	every i, part in rule {
		exec_part_matches(cmd[i], part)
	}
}

exec_part_matches(_, "*")

exec_part_matches(arg, part) if {
	part != "*"
	arg == part
}

exec_allowed if {
	some rule in exec_allowed_for(input.container_id)
	exec_matches(exec_command, rule)
}

violations contains msg if {
	input.operation == "ExecProcess"
	not exec_allowed
	msg := sprintf("ExecProcess: %v is not allowed in container %q", [exec_command, input.container_id])
}

violations contains msg if {
	input.operation == "ExecProcess"
	exec_program in data.catalogue.shells
	not setting("allow_shells")
	msg := sprintf("ExecProcess: interactive shell %q", [exec_program])
}

# -----------------------------------------------------------------------------------------------
# Operation: CopyFile (into allowed directories, bounded size, no executables)

copy := object.get(input, "request", {})

copy_path := object.get(copy, "path", "")

copy_dir_allowed if has_prefix_in(copy_path, setting_or("copy_dirs", []))

copy_size_ok if object.get(copy, "size", 0) <= units.parse_bytes(setting_or("max_copy_size", "1Mi"))

copy_executable if bits.and(object.get(copy, "mode", 0), 73) != 0

violations contains msg if {
	input.operation == "CopyFile"
	not copy_dir_allowed
	msg := sprintf("CopyFile: %q is outside the allowed directories", [copy_path])
}

violations contains msg if {
	input.operation == "CopyFile"
	contains(copy_path, "..")
	msg := sprintf("CopyFile: %q climbs out of its directory", [copy_path])
}

violations contains msg if {
	input.operation == "CopyFile"
	not copy_size_ok
	msg := sprintf("CopyFile: %d bytes exceeds %s", [copy.size, setting_or("max_copy_size", "1Mi")])
}

violations contains msg if {
	input.operation == "CopyFile"
	copy_executable
	msg := sprintf("CopyFile: %q would be executable", [copy_path])
}

# -----------------------------------------------------------------------------------------------
# Operation: PullImage (the image must be one a container of the pod names)

pull_image := object.get(object.get(input, "request", {}), "image", "")

violations contains msg if {
	input.operation == "PullImage"
	not pull_image in {c.image | some c in all_containers}
	msg := sprintf("PullImage: %q is not an image of pod %q", [pull_image, pod_name])
}

violations contains msg if {
	input.operation == "PullImage"
	not registry_allowed(image_parts(pull_image))
	msg := sprintf("PullImage: registry of %q is not allowed", [pull_image])
}

# -----------------------------------------------------------------------------------------------
# Operations: UpdateInterfaces and UpdateRoutes (only the pod's own subnets)

interfaces := object.get(object.get(input, "request", {}), "interfaces", [])

routes := object.get(object.get(input, "request", {}), "routes", [])

pod_subnets := setting_or("subnets", [])

address_in_pod_subnets(addr) if {
	some subnet in pod_subnets
	net.cidr_contains(subnet, addr)
}

violations contains msg if {
	input.operation == "UpdateInterfaces"
	some iface in interfaces
	some addr in iface.addresses
	not address_in_pod_subnets(addr)
	msg := sprintf("UpdateInterfaces: %s on %s is outside the pod subnets", [addr, iface.name])
}

violations contains msg if {
	input.operation == "UpdateRoutes"
	some r in routes
	r.dest != "default"
	not address_in_pod_subnets(r.dest)
	msg := sprintf("UpdateRoutes: route to %s is outside the pod subnets", [r.dest])
}

# -----------------------------------------------------------------------------------------------
# Operations: SignalProcess and ReadStream (only for containers of the pod)

violations contains msg if {
	input.operation in {"SignalProcess", "ReadStream"}
	not input.container_id in container_names
	msg := sprintf("%s: %q is not a container of pod %q", [input.operation, input.container_id, pod_name])
}

violations contains msg if {
	input.operation == "SignalProcess"
	signal := object.get(object.get(input, "request", {}), "signal", 15)
	not signal in {1, 2, 3, 9, 15}
	msg := sprintf("SignalProcess: signal %d", [signal])
}

# -----------------------------------------------------------------------------------------------
# Mutations the host applies when allowed (defaults the namespace asks for)

mutations := [m | some m in mutation_set]

mutation_set contains {"op": "add", "path": sprintf("/spec/containers/%d/securityContext/readOnlyRootFilesystem", [i]), "value": true} if {
	setting("default_read_only_root")
	some i, c in containers
	not security_context(c).readOnlyRootFilesystem
}

mutation_set contains {"op": "add", "path": sprintf("/metadata/labels/%s", [k]), "value": v} if {
	some k, v in setting_or("default_labels", {})
	not pod_labels[k]
}

mutation_set contains {"op": "add", "path": "/metadata/annotations/admission.keygate.dev~1tier", "value": tenant_tier} if {
	not pod_annotations["admission.keygate.dev/tier"]
}

# -----------------------------------------------------------------------------------------------
# Audit record: what was decided and why, with counts per category

violation_categories := {category: n |
	some category in ["container", "pod", "CreateContainer", "ExecProcess", "CopyFile", "PullImage", "runtime", "agent"]
	n := count([v | some v in violations; startswith(v, category)])
}

audit_record := {
	"pod": pod_name,
	"owner": namespace_owner,
	"tier": tenant_tier,
	"mode": enforcement_mode,
	"containers": count(all_containers),
	"images": sort([c.image | some c in all_containers]),
	"families": sort([f | some c in all_containers; f := image_family(image_of(c))]),
	"runtime": runtime_version,
	"violations": count(violations),
	"by_category": {k: n | some k, n in violation_categories; n > 0},
	"checks": checks_run,
}

checks_run := count(all_containers) * count(container_checks)

container_checks := [
	"registry",
	"digest",
	"mutable_tag",
	"revoked",
	"outdated",
	"root",
	"privileged",
	"capabilities",
	"seccomp",
	"env",
	"mounts",
	"resources",
]
