#![allow(clippy::print_stdout, clippy::unwrap_used)]
use regorus::{Engine, Value};
fn run(policy: &str, input: &str) {
    let mut e = Engine::new();
    for f in ["policies/lib/net.rego", "policies/lib/config.rego", "policies/lib/resource.rego", "policies/lib/result.rego", "policies/network_isolation/ni013_nacl_open_admin_ports.rego"] {
        e.add_policy(f.into(), std::fs::read_to_string(f).unwrap()).unwrap();
    }
    e.add_policy("p.rego".into(), policy.into()).unwrap();
    let input = Value::from_json_str(input).unwrap();
    let mut i = e.clone();
    i.set_input(input.clone());
    let a = i.eval_rule("data.mlguard.network_isolation.network_acl_open_to_world.out".into());
    let ep: regorus::Rc<str> = "data.mlguard.network_isolation.network_acl_open_to_world.out".into();
    let compiled = e.clone().compile_with_entrypoint(&ep).unwrap();
    let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[ep.as_ref()]);
    let b = program.map_err(|e| e.to_string()).and_then(|p| {
        let mut vm = regorus::rvm::RegoVM::new();
        vm.load_program(p);
        vm.set_max_instructions(usize::MAX);
        vm.set_data(Value::new_object()).map_err(|e| e.to_string())?;
        vm.set_input(input);
        vm.execute_entry_point_by_name(&ep).map_err(|e| e.to_string())
    });
    let a = a.map(|v| v.to_string()).map_err(|e| e.to_string());
    println!("{}\n  interp: {:?}\n  rvm:    {:?}", policy.lines().filter(|l| !l.starts_with("package") && !l.starts_with("import")).collect::<Vec<_>>().join(" / "), a, b.map(|v| v.to_string()));
}
fn main() {
    let input = r#"{"regions": {"r": {"ec2": {"network_acls": [{"NetworkAclId": "a", "VpcId": "v", "Entries": [
      {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
      {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100, "PortRange": {"From": 443, "To": 443}},
      {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 110, "PortRange": {"From": 22, "To": 22}}]}]}}}}"#;
    let h = "package mlguard.network_isolation.network_acl_open_to_world\nimport rego.v1\nimport data.mlguard.lib.net\n";
    let a = "the_acl := input.regions.r.ec2.network_acls[0]\n";
    for q in ["s contains x if { some e in [1, 2, 3]; x := h(e) }\nh(e) := e if e != 1\nout := s",
              "out := [x | some e in [3, 1, 2]; x := h(e)]\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; h(e); x := h(e)]\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; x := h(e); x]\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; y := h(e); x := y]\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; x := h(e); x != null]\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; x = h(e)]\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; x := [h(e)][0]]\nh(e) := e if e != 1",
              "out := {x | some e in [3, 1, 2]; x := h(e)}\nh(e) := e if e != 1",
              "out := [x | some e in [3, 1, 2]; x := object.get({\"a\": 1}, \"b\", null)]",
              "out := [x | some e in [3, 1, 2]; x := input.nope]",
              ] {
        run(&format!("{h}{a}{q}"), input);
    }
}
