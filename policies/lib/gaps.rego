# What the collector could not read. A rule whose input for a resource is missing puts
# that resource in `not_assessed` (never in a pass). Whole-listing failures are handled by
# mlguard from each rule's `inputs` metadata.
package mlguard.lib.gaps

import rego.v1

# "operation|resource" for every per-resource gap.
failed_resources contains joined_key if {
	some g in object.get(input, "gaps", [])
	is_string(object.get(g, "resource", null))
	joined_key := sprintf("%s|%s", [g.operation, g.resource])
}

# "service|region|operation" for every failed listing.
failed_listings contains joined_key if {
	some g in object.get(input, "gaps", [])
	not is_string(object.get(g, "resource", null))
	joined_key := sprintf("%s|%s|%s", [g.service, g.region, g.operation])
}

# The call `operation` about `resource` (an ARN or id) failed.
resource_failed(operation, resource) if failed_resources[sprintf("%s|%s", [operation, resource])]

# The listing `service:operation` failed in `region`.
listing_failed(service, region, operation) if failed_listings[sprintf("%s|%s|%s", [service, region, operation])]

error_codes := {sprintf("%s|%s", [g.operation, g.resource]): g.error_code |
	some g in object.get(input, "gaps", [])
	is_string(object.get(g, "resource", null))
}

# A message for a resource whose input could not be read.
reason(operation, resource) := sprintf("not assessed: %s failed (%s)", [operation, code]) if {
	code := error_codes[sprintf("%s|%s", [operation, resource])]
}
