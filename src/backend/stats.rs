//! One bulk `virConnectGetAllDomainStats` call for every machine, with typed parameters read
//! into plain values and the record list freed with `virDomainStatsRecordListFree`.
//!
//! `virt::Connect::all_domain_stats` returns raw record pointers and frees only the array,
//! so we call libvirt directly here.

use std::collections::HashMap;
use std::ffi::{c_char, CStr};
use std::time::Instant;

use virt::connect::Connect;
use virt::sys;

use super::types::{DomainInfo, DomainStats, VmState};

/// A typed parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl Value {
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Int(i) => u64::try_from(*i).ok(),
            Value::UInt(u) => Some(*u),
            Value::Float(f) => Some(*f as u64),
            _ => None,
        }
    }
}

/// One machine's record from the bulk call.
#[derive(Debug, Clone)]
pub struct Record {
    pub uuid: String,
    pub name: String,
    pub params: HashMap<String, Value>,
}

impl Record {
    pub fn u64(&self, key: &str) -> Option<u64> {
        self.params.get(key).and_then(Value::as_u64)
    }

    fn sum(&self, count_key: &str, prefix: &str, suffix: &str) -> Option<u64> {
        let n = self.u64(count_key)?;
        Some(
            (0..n)
                .filter_map(|i| self.u64(&format!("{prefix}.{i}.{suffix}")))
                .sum(),
        )
    }

    /// The list entry this record describes (needs the STATE group).
    pub fn to_info(&self) -> DomainInfo {
        DomainInfo {
            uuid: self.uuid.clone(),
            name: self.name.clone(),
            state: VmState::from_raw(self.u64("state.state").unwrap_or(0) as i32),
            reason: self.u64("state.reason").unwrap_or(0) as i32,
        }
    }
}

/// Groups asked for in the periodic statistics round.
pub const LIVE_GROUPS: u32 = sys::VIR_DOMAIN_STATS_STATE
    | sys::VIR_DOMAIN_STATS_CPU_TOTAL
    | sys::VIR_DOMAIN_STATS_BALLOON
    | sys::VIR_DOMAIN_STATS_VCPU
    | sys::VIR_DOMAIN_STATS_INTERFACE
    | sys::VIR_DOMAIN_STATS_BLOCK;

/// Calls `virConnectGetAllDomainStats(conn, groups, flags)` once.
pub fn all_domain_stats(
    conn: &Connect,
    groups: u32,
    flags: u32,
) -> Result<Vec<Record>, virt::error::Error> {
    let mut list: *mut sys::virDomainStatsRecordPtr = std::ptr::null_mut();
    // SAFETY: libvirt fills `list` with a NULL-terminated array of `n` records that we own
    // and release with virDomainStatsRecordListFree below.
    let n = unsafe { sys::virConnectGetAllDomainStats(conn.as_ptr(), groups, &mut list, flags) };
    if n < 0 {
        return Err(virt::error::Error::last_error());
    }
    let mut out = Vec::with_capacity(n as usize);
    unsafe {
        for i in 0..n as usize {
            let rec = &**list.add(i);
            let mut buf = [0 as c_char; sys::VIR_UUID_STRING_BUFLEN as usize];
            let uuid = if sys::virDomainGetUUIDString(rec.dom, buf.as_mut_ptr()) == 0 {
                CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
            } else {
                String::new()
            };
            let name_ptr = sys::virDomainGetName(rec.dom);
            let name = if name_ptr.is_null() {
                String::new()
            } else {
                CStr::from_ptr(name_ptr).to_string_lossy().into_owned()
            };
            let mut params = HashMap::with_capacity(rec.nparams as usize);
            for j in 0..rec.nparams as usize {
                let p = &*rec.params.add(j);
                let field = CStr::from_ptr(p.field.as_ptr())
                    .to_string_lossy()
                    .into_owned();
                let value = match p.type_ as u32 {
                    sys::VIR_TYPED_PARAM_INT => Value::Int(p.value.i as i64),
                    sys::VIR_TYPED_PARAM_UINT => Value::UInt(p.value.ui as u64),
                    sys::VIR_TYPED_PARAM_LLONG => Value::Int(p.value.l),
                    sys::VIR_TYPED_PARAM_ULLONG => Value::UInt(p.value.ul),
                    sys::VIR_TYPED_PARAM_DOUBLE => Value::Float(p.value.d),
                    sys::VIR_TYPED_PARAM_BOOLEAN => Value::Bool(p.value.b != 0),
                    sys::VIR_TYPED_PARAM_STRING if !p.value.s.is_null() => {
                        Value::Str(CStr::from_ptr(p.value.s).to_string_lossy().into_owned())
                    }
                    _ => continue,
                };
                params.insert(field, value);
            }
            out.push(Record { uuid, name, params });
        }
        if !list.is_null() {
            sys::virDomainStatsRecordListFree(list);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Instant,
    cpu_ns: Option<u64>,
    disk_rd: Option<u64>,
    disk_wr: Option<u64>,
    net_rx: Option<u64>,
    net_tx: Option<u64>,
}

/// Turns successive bulk records into rates. Keeps one sample per running machine.
#[derive(Debug, Default)]
pub struct RateTracker {
    last: HashMap<String, Sample>,
}

impl RateTracker {
    /// Computes figures for `records` taken at `now`, and forgets machines that are gone.
    pub fn update(&mut self, records: &[Record], now: Instant) -> Vec<DomainStats> {
        let mut next = HashMap::with_capacity(records.len());
        let out = records
            .iter()
            .map(|r| {
                let s = Sample {
                    at: now,
                    cpu_ns: r.u64("cpu.time"),
                    disk_rd: r.sum("block.count", "block", "rd.bytes"),
                    disk_wr: r.sum("block.count", "block", "wr.bytes"),
                    net_rx: r.sum("net.count", "net", "rx.bytes"),
                    net_tx: r.sum("net.count", "net", "tx.bytes"),
                };
                let prev = self.last.get(&r.uuid);
                let secs = prev.map(|p| now.duration_since(p.at).as_secs_f64());
                let rate = |cur: Option<u64>, old: Option<u64>| -> Option<f64> {
                    let secs = secs.filter(|s| *s > 0.0)?;
                    Some(cur?.saturating_sub(old?) as f64 / secs)
                };
                let vcpus = r.u64("vcpu.current").unwrap_or(1).max(1) as f64;
                let stats = DomainStats {
                    uuid: r.uuid.clone(),
                    cpu_percent: rate(s.cpu_ns, prev.and_then(|p| p.cpu_ns))
                        .map(|ns_per_s| (ns_per_s / 1e9 / vcpus * 100.0).clamp(0.0, 100.0)),
                    memory_kib: r.u64("balloon.current"),
                    disk_read_bps: rate(s.disk_rd, prev.and_then(|p| p.disk_rd)),
                    disk_write_bps: rate(s.disk_wr, prev.and_then(|p| p.disk_wr)),
                    net_rx_bps: rate(s.net_rx, prev.and_then(|p| p.net_rx)),
                    net_tx_bps: rate(s.net_tx, prev.and_then(|p| p.net_tx)),
                };
                next.insert(r.uuid.clone(), s);
                stats
            })
            .collect();
        self.last = next;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rec(cpu: u64, rd: u64) -> Record {
        let mut params = HashMap::new();
        params.insert("cpu.time".into(), Value::UInt(cpu));
        params.insert("vcpu.current".into(), Value::UInt(2));
        params.insert("balloon.current".into(), Value::UInt(1024));
        params.insert("block.count".into(), Value::UInt(1));
        params.insert("block.0.rd.bytes".into(), Value::UInt(rd));
        Record {
            uuid: "u".into(),
            name: "n".into(),
            params,
        }
    }

    #[test]
    fn rates_need_two_rounds_and_divide_by_vcpus() {
        let mut t = RateTracker::default();
        let t0 = Instant::now();
        let first = t.update(&[rec(0, 0)], t0);
        assert_eq!(first[0].cpu_percent, None);
        assert_eq!(first[0].memory_kib, Some(1024));
        // One second later the guest used 1 s of CPU on 2 vCPUs: 50 %.
        let second = t.update(&[rec(1_000_000_000, 4096)], t0 + Duration::from_secs(1));
        assert!((second[0].cpu_percent.unwrap() - 50.0).abs() < 1e-6);
        assert_eq!(second[0].disk_read_bps, Some(4096.0));
        // A machine that stopped is forgotten.
        assert!(t.update(&[], t0 + Duration::from_secs(2)).is_empty());
        assert!(t.last.is_empty());
    }
}
