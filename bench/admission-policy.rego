# A Gatekeeper-style admission policy over a Kubernetes AdmissionReview: the checks of the
# Gatekeeper library's most used templates (required labels, allowed repositories, no
# privileged or host-namespace pods, resource limits, no `latest` tags, read-only root
# filesystems, allowed capabilities, probes), each a `violation` rule over every container, with
# the constraints' parameters in `data.constraints`. The bench asks for the whole decision.
package k8s.admission

import rego.v1

review := input.request

object := review.object

kind := review.kind.kind

# Every container of a Pod, or of a workload's pod template, with where it sits.
pod_spec := object.spec if kind == "Pod"

pod_spec := object.spec.template.spec if kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec := object.spec.jobTemplate.spec.template.spec if kind == "CronJob"

containers contains {"kind": "container", "c": c} if some c in pod_spec.containers

containers contains {"kind": "initContainer", "c": c} if some c in pod_spec.initContainers

containers contains {"kind": "ephemeralContainer", "c": c} if some c in pod_spec.ephemeralContainers

# --- K8sRequiredLabels
violation contains {"msg": msg, "details": {"missing_labels": missing}} if {
	some constraint in data.constraints.required_labels
	applies(constraint)
	provided := {label | object.metadata.labels[label]}
	required := {label.key | some label in constraint.parameters.labels}
	missing := required - provided
	count(missing) > 0
	msg := sprintf("you must provide labels: %v", [sort(missing)])
}

violation contains {"msg": msg} if {
	some constraint in data.constraints.required_labels
	applies(constraint)
	some label in constraint.parameters.labels
	value := object.metadata.labels[label.key]
	label.allowedRegex != ""
	not regex.match(label.allowedRegex, value)
	msg := sprintf("label <%v: %v> does not satisfy allowed regex: %v", [label.key, value, label.allowedRegex])
}

# --- K8sAllowedRepos
violation contains {"msg": msg} if {
	some constraint in data.constraints.allowed_repos
	applies(constraint)
	some entry in containers
	not strings.any_prefix_match(entry.c.image, constraint.parameters.repos)
	msg := sprintf("%v <%v> has an invalid image repo <%v>, allowed repos are %v", [entry.kind, entry.c.name, entry.c.image, constraint.parameters.repos])
}

# --- K8sDisallowedTags
violation contains {"msg": msg} if {
	some constraint in data.constraints.disallowed_tags
	applies(constraint)
	some entry in containers
	tags := [tag_with_prefix | some tag in constraint.parameters.tags; tag_with_prefix := concat(":", ["", tag])]
	strings.any_suffix_match(entry.c.image, tags)
	msg := sprintf("%v <%v> uses a disallowed tag <%v>; disallowed tags are %v", [entry.kind, entry.c.name, entry.c.image, constraint.parameters.tags])
}

violation contains {"msg": msg} if {
	some constraint in data.constraints.disallowed_tags
	applies(constraint)
	some entry in containers
	not contains(entry.c.image, ":")
	msg := sprintf("%v <%v> didn't specify an image tag <%v>", [entry.kind, entry.c.name, entry.c.image])
}

# --- K8sPSPPrivilegedContainer
violation contains {"msg": msg} if {
	some constraint in data.constraints.privileged
	applies(constraint)
	some entry in containers
	entry.c.securityContext.privileged
	msg := sprintf("Privileged container is not allowed: %v, securityContext: %v", [entry.c.name, entry.c.securityContext])
}

# --- K8sPSPHostNamespace
violation contains {"msg": msg} if {
	some constraint in data.constraints.host_namespace
	applies(constraint)
	some field in ["hostPID", "hostIPC", "hostNetwork"]
	pod_spec[field]
	msg := sprintf("Sharing the host namespace is not allowed: %v (%v)", [object.metadata.name, field])
}

# --- K8sContainerLimits
violation contains {"msg": msg} if {
	some constraint in data.constraints.container_limits
	applies(constraint)
	some entry in containers
	some resource in ["cpu", "memory"]
	not entry.c.resources.limits[resource]
	msg := sprintf("container <%v> has no %v limit", [entry.c.name, resource])
}

violation contains {"msg": msg} if {
	some constraint in data.constraints.container_limits
	applies(constraint)
	some entry in containers
	memory := units.parse_bytes(entry.c.resources.limits.memory)
	max_memory := units.parse_bytes(constraint.parameters.memory)
	memory > max_memory
	msg := sprintf("container <%v> memory limit <%v> is higher than the maximum allowed of <%v>", [entry.c.name, entry.c.resources.limits.memory, constraint.parameters.memory])
}

violation contains {"msg": msg} if {
	some constraint in data.constraints.container_limits
	applies(constraint)
	some entry in containers
	cpu := cpu_millis(entry.c.resources.limits.cpu)
	max_cpu := cpu_millis(constraint.parameters.cpu)
	cpu > max_cpu
	msg := sprintf("container <%v> cpu limit <%v> is higher than the maximum allowed of <%v>", [entry.c.name, entry.c.resources.limits.cpu, constraint.parameters.cpu])
}

# --- K8sPSPReadOnlyRootFilesystem
violation contains {"msg": msg} if {
	some constraint in data.constraints.read_only_root
	applies(constraint)
	some entry in containers
	not entry.c.securityContext.readOnlyRootFilesystem == true
	msg := sprintf("only read-only root filesystem container is allowed: %v", [entry.c.name])
}

# --- K8sPSPCapabilities
violation contains {"msg": msg} if {
	some constraint in data.constraints.capabilities
	applies(constraint)
	some entry in containers
	added := {c | some c in entry.c.securityContext.capabilities.add}
	allowed := {c | some c in constraint.parameters.allowedCapabilities}
	not "*" in allowed
	extra := added - allowed
	count(extra) > 0
	msg := sprintf("container <%v> has a disallowed capability. Allowed capabilities are %v", [entry.c.name, sort(allowed)])
}

violation contains {"msg": msg} if {
	some constraint in data.constraints.capabilities
	applies(constraint)
	some entry in containers
	dropped := {lower(c) | some c in entry.c.securityContext.capabilities.drop}
	required := {lower(c) | some c in constraint.parameters.requiredDropCapabilities}
	missing := required - dropped
	count(missing) > 0
	msg := sprintf("container <%v> is not dropping all required capabilities. Container must drop all of %v", [entry.c.name, sort(required)])
}

# --- K8sRequiredProbes
violation contains {"msg": msg} if {
	some constraint in data.constraints.required_probes
	applies(constraint)
	some entry in containers
	entry.kind == "container"
	some probe in constraint.parameters.probes
	not probe_ok(entry.c, probe, constraint.parameters.probeTypes)
	msg := sprintf("Container <%v> has no <%v>", [entry.c.name, probe])
}

probe_ok(container, probe, types) if {
	some t in types
	container[probe][t]
}

# A constraint applies when its match block selects the object's kind and namespace.
applies(constraint) if {
	some k in constraint.match.kinds
	kind in k.kinds
	not excluded_namespace(constraint)
}

excluded_namespace(constraint) if review.namespace in constraint.match.excludedNamespaces

# CPU quantities as millicores: "500m" or "2".
cpu_millis(q) := to_number(trim_suffix(q, "m")) if endswith(q, "m")

cpu_millis(q) := to_number(q) * 1000 if {
	not endswith(q, "m")
	is_string(q)
}

cpu_millis(q) := q * 1000 if is_number(q)

allowed if count(violation) == 0

decision := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"response": {
		"uid": review.uid,
		"allowed": allowed_or_false,
		"status": {"message": concat("; ", sort([v.msg | some v in violation]))},
	},
}

allowed_or_false := allowed if allowed

allowed_or_false := false if not allowed
