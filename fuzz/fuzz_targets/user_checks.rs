//! What a person types: connection addresses, machine names, MAC addresses, subnets and
//! DHCP ranges, express install's answers. Every check answers, none panics, and what a
//! check accepts survives its own use (an accepted subnet prints as a CIDR that parses
//! back to the same subnet).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = bilik::backend::uri::parse(s) {
        let _ = p.is_local();
    }
    let _ = bilik::backend::uri::local_and_session(s);
    let _ = bilik::backend::new_vm::check_name(s, &["existing".to_string()]);
    let _ = bilik::backend::nics::check_mac(s, &["52:54:00:00:00:01".to_string()]);
    if let Ok(net) = bilik::backend::networks::parse_subnet(s) {
        let again = bilik::backend::networks::parse_subnet(&net.to_cidr()).expect("its own CIDR");
        assert_eq!(again.to_cidr(), net.to_cidr());
        let (a, b) = s.split_at(s.len() / 2);
        let _ = bilik::backend::networks::dhcp_range(net, a, b);
    }
    let _ = bilik::backend::express::check_login(s);
    let _ = bilik::backend::express::check_product_key(s);
    let _ = bilik::backend::express::host_name(s);
});
