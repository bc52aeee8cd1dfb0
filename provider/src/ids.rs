//! Identifiers shared by several resources: the official provider's encoded state ids and the
//! human import formats.
//!
//! Encoded state id (SDKv2 legacy, kept by the official provider for compatibility):
//! `base64(key):base64(value)` pairs, keys sorted, joined by `-`, standard base64 with padding.
//! The alphabet of standard base64 has neither `-` nor `:`, so decoding is a plain split.

use std::collections::BTreeMap;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with `=` padding.
pub fn base64_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// Decodes standard base64 (padding optional). `None` on any invalid character.
pub fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let trimmed = input.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in trimmed.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    // A single leftover sextet cannot come from whole bytes.
    if trimmed.len() % 4 == 1 {
        return None;
    }
    Some(out)
}

/// The official provider's encoded state id for `pairs` (keys are sorted by the map).
pub fn encode_state_id(pairs: &BTreeMap<&str, &str>) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}:{}",
                base64_encode(k.as_bytes()),
                base64_encode(v.as_bytes())
            )
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Decodes an encoded state id; `None` if it is not one.
pub fn decode_state_id(id: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for part in id.split('-') {
        let (k, v) = part.split_once(':')?;
        let k = String::from_utf8(base64_decode(k)?).ok()?;
        let v = String::from_utf8(base64_decode(v)?).ok()?;
        out.insert(k, v);
    }
    Some(out)
}

fn is_project_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Splits a database user import id: `{project_id}-{username}-{auth_database_name}` (the
/// username may contain `-`; the database name is 1–15 of `[$a-z]`) or
/// `{project_id}/{username}/{auth_database_name}` (the username may contain `/`).
pub fn split_database_user_import_id(id: &str) -> Result<(String, String, String), String> {
    let err = || {
        format!(
            "import ID {id:?} has the wrong format: use {{project_id}}-{{username}}-{{auth_database_name}} or {{project_id}}/{{username}}/{{auth_database_name}}"
        )
    };
    let project = id.get(..24).filter(|p| is_project_id(p)).ok_or_else(err)?;
    let sep = id[24..].chars().next().ok_or_else(err)?;
    if sep != '-' && sep != '/' {
        return Err(err());
    }
    let rest = &id[25..];
    let (username, db) = rest.rsplit_once(sep).ok_or_else(err)?;
    let db_ok =
        (1..=15).contains(&db.len()) && db.bytes().all(|b| b == b'$' || b.is_ascii_lowercase());
    if username.is_empty() || !(db_ok || (sep == '/' && !db.is_empty())) {
        return Err(err());
    }
    Ok((project.to_string(), username.to_string(), db.to_string()))
}

/// Splits an access list import id `{project_id}-{entry}` on the first `-` (the entry may
/// contain `-`, as security group ids do).
pub fn split_access_list_import_id(id: &str) -> Result<(String, String), String> {
    match id.split_once('-') {
        Some((project, entry)) if is_project_id(project) && !entry.is_empty() => {
            Ok((project.to_string(), entry.to_string()))
        }
        _ => Err(format!(
            "import ID {id:?} has the wrong format: use {{project_id}}-{{entry}}, where entry is an IP address, a CIDR block or an AWS security group id"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_with_padding() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("project_id", "cHJvamVjdF9pZA=="),
            ("1.2.3.4/32", "MS4yLjMuNC8zMg=="),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64_decode("a-b"), None);
    }

    #[test]
    fn state_id_matches_the_official_encoding() {
        let id = encode_state_id(&BTreeMap::from([
            ("username", "user-1"),
            ("project_id", "6414908c207f4d22f4d8f232"),
            ("auth_database_name", "admin"),
        ]));
        assert_eq!(
            id,
            "YXV0aF9kYXRhYmFzZV9uYW1l:YWRtaW4=-cHJvamVjdF9pZA==:NjQxNDkwOGMyMDdmNGQyMmY0ZDhmMjMy-dXNlcm5hbWU=:dXNlci0x"
        );
        let decoded = decode_state_id(&id).unwrap_or_default();
        assert_eq!(decoded["username"], "user-1");
        assert_eq!(decoded["auth_database_name"], "admin");
        assert_eq!(decode_state_id("not an id"), None);
    }

    #[test]
    fn database_user_import_formats() {
        let p = "6414908c207f4d22f4d8f232";
        assert_eq!(
            split_database_user_import_id(&format!("{p}-my-user-admin")),
            Ok((p.into(), "my-user".into(), "admin".into()))
        );
        assert_eq!(
            split_database_user_import_id(&format!("{p}-CN=x,OU=y-$external")),
            Ok((p.into(), "CN=x,OU=y".into(), "$external".into()))
        );
        assert_eq!(
            split_database_user_import_id(&format!("{p}/idp/group-a/admin")),
            Ok((p.into(), "idp/group-a".into(), "admin".into()))
        );
        assert!(split_database_user_import_id(&format!("{p}-user")).is_err());
        assert!(split_database_user_import_id("short-user-admin").is_err());
        assert!(split_database_user_import_id(&format!("{p}-user-ADMIN")).is_err());
        assert!(split_database_user_import_id(&format!("{p}--admin")).is_err());
    }

    #[test]
    fn access_list_import_splits_on_the_first_dash() {
        let p = "6414908c207f4d22f4d8f232";
        assert_eq!(
            split_access_list_import_id(&format!("{p}-sg-0123abcd")),
            Ok((p.into(), "sg-0123abcd".into()))
        );
        assert_eq!(
            split_access_list_import_id(&format!("{p}-10.0.0.0/21")),
            Ok((p.into(), "10.0.0.0/21".into()))
        );
        assert!(split_access_list_import_id("nodash").is_err());
        assert!(split_access_list_import_id(&format!("{p}-")).is_err());
    }
}
