# Builds rule results. Every rule's `deny` and `not_assessed` sets hold
# `result.new(resource, msg)`; its `applicable` set holds the resources themselves.
package mlguard.lib.result

import rego.v1

# A result for `resource` (built with data.mlguard.lib.resource) with message `msg`.
new(resource, msg) := {"resource": resource, "msg": msg}
