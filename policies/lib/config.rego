# Parameters from mlguard (data.mlguard_config), with the same defaults as
# src/engine/params.rs for when the policies run outside mlguard (e.g. under OPA).
package mlguard.lib.config

import rego.v1

default trusted_cidrs := []

trusted_cidrs := data.mlguard_config.trusted_cidrs

default admin_ports := [
	20, 21, 22, 23, 135, 445, 1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379,
	8888, 9200, 11211, 27017,
]

admin_ports := data.mlguard_config.admin_ports

default scope_name_globs := ["ml-*", "*sagemaker*"]

scope_name_globs := data.mlguard_config.scope_name_globs

default scope_tag := "mlguard:scope=ml"

scope_tag := data.mlguard_config.scope_tag

default scope_vpc_ids := []

scope_vpc_ids := data.mlguard_config.scope_vpc_ids

default scope_security_group_ids := []

scope_security_group_ids := data.mlguard_config.scope_security_group_ids

default unused_role_days := 90

unused_role_days := data.mlguard_config.unused_role_days
