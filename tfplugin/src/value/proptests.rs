//! Property tests across the codecs: arbitrary (type, conforming value) pairs round-trip, and
//! no input bytes make a decoder panic.

use proptest::prelude::*;

use super::types::tests::arb_type;
use super::*;

#[derive(Clone, Copy, Debug)]
struct Opts {
    /// Include unknown values (msgpack only).
    unknowns: bool,
    /// Numbers of every kind (big, long, infinite); otherwise only ones that survive f64.
    all_numbers: bool,
}

const MSGPACK: Opts = Opts {
    unknowns: true,
    all_numbers: true,
};
const JSON: Opts = Opts {
    unknowns: false,
    all_numbers: true,
};
const LOSSY: Opts = Opts {
    unknowns: false,
    all_numbers: false,
};

fn parse(s: &str) -> Number {
    Number::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn arb_number(opts: Opts) -> BoxedStrategy<Number> {
    // Short decimals (at most 15 significant digits) survive the trip through f64.
    let short = ("-?[1-9][0-9]{0,7}", 0usize..7).prop_map(|(digits, frac)| {
        let exp = -(frac as i64);
        parse(&format!("{digits}e{exp}"))
    });
    if !opts.all_numbers {
        return prop_oneof![any::<i64>().prop_map(Number::from), short].boxed();
    }
    let finite = opts.unknowns; // JSON has no infinities
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("NaN or infinite", move |f| {
            (f.is_finite() || finite)
                .then(|| Number::from_f64(f))
                .flatten()
        }),
        short,
        "-?[0-9]{1,30}\\.[0-9]{1,30}".prop_map(|s| parse(&s)),
        ("-?[1-9][0-9]{0,20}", -60i64..60).prop_map(|(d, e)| parse(&format!("{d}e{e}"))),
    ]
    .boxed()
}

/// A refinement payload that is valid for the type, as Terraform would send.
fn arb_refinement(ty: &Type) -> BoxedStrategy<Vec<u8>> {
    match ty {
        Type::String => "[a-z]{1,5}"
            .prop_map(|p| {
                let mut b = vec![0x82, 0x01, 0xc2, 0x02, 0xa0 | p.len() as u8];
                b.extend_from_slice(p.as_bytes());
                b
            })
            .boxed(),
        Type::Number => (0u8..100, any::<bool>())
            .prop_map(|(n, inc)| vec![0x81, 0x03, 0x92, n, if inc { 0xc3 } else { 0xc2 }])
            .boxed(),
        t if t.is_collection() => (0u8..10).prop_map(|n| vec![0x81, 0x05, n]).boxed(),
        _ => Just(vec![0x81, 0x01, 0xc2]).boxed(),
    }
}

fn arb_value(ty: &Type, opts: Opts, depth: u32) -> BoxedStrategy<Value> {
    let concrete = arb_concrete(ty, opts, depth);
    if opts.unknowns {
        prop_oneof![
            1 => Just(Value::Null),
            1 => Just(Value::unknown()),
            1 => arb_refinement(ty).prop_map(Value::unknown_refined),
            6 => concrete,
        ]
        .boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => concrete].boxed()
    }
}

fn arb_concrete(ty: &Type, opts: Opts, depth: u32) -> BoxedStrategy<Value> {
    let elems = |t: &Type| proptest::collection::vec(arb_value(t, opts, depth + 1), 0..4);
    match ty {
        Type::String => "(?s).{0,8}".prop_map(Value::String).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number(opts).prop_map(Value::Number).boxed(),
        Type::List(t) => elems(t).prop_map(Value::List).boxed(),
        Type::Set(t) => elems(t).prop_map(Value::Set).boxed(),
        Type::Tuple(ts) => ts
            .iter()
            .map(|t| arb_value(t, opts, depth + 1))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Map(t) => proptest::collection::btree_map(
            "[a-z\"\\\\é.]{0,4}",
            arb_value(t, opts, depth + 1),
            0..4,
        )
        .prop_map(Value::Map)
        .boxed(),
        Type::Object(atys) => atys
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                // Sometimes leave an attribute out: encoders must write it as null.
                proptest::option::weighted(0.85, arb_value(t, opts, depth + 1))
                    .prop_map(move |v| v.map(|v| (name.clone(), v)))
            })
            .collect::<Vec<_>>()
            .prop_map(|attrs| Value::Object(attrs.into_iter().flatten().collect()))
            .boxed(),
        Type::Dynamic => {
            let inner_ty = if depth >= 2 {
                prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)].boxed()
            } else {
                arb_type().boxed()
            };
            inner_ty
                .prop_flat_map(move |t| {
                    let wrapped_t = t.clone();
                    (arb_value(&t, opts, depth + 1), any::<bool>()).prop_map(move |(v, wrap)| {
                        // Either carry the type explicitly or let the encoder infer it.
                        if wrap {
                            Value::Dynamic(Box::new(wrapped_t.clone()), Box::new(v))
                        } else {
                            v
                        }
                    })
                })
                .boxed()
        }
    }
}

fn arb_typed(opts: Opts) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| {
        // The top level is a real value most of the time; nulls and unknowns appear inside.
        let v = prop_oneof![1 => arb_value(&t, opts, 0), 4 => arb_concrete(&t, opts, 0)];
        (Just(t), v)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn msgpack_round_trip((ty, v) in arb_typed(MSGPACK)) {
        let bytes = encode_msgpack(&v, &ty).unwrap();
        let back = decode_msgpack(&bytes, &ty)
            .unwrap_or_else(|e| panic!("decode {bytes:02x?}: {e}"));
        prop_assert!(back.semantically_equal(&v), "{v:?}\n{back:?}");
        // The encoding is canonical: re-encoding what was decoded gives the same bytes.
        prop_assert_eq!(encode_msgpack(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trip((ty, v) in arb_typed(JSON)) {
        let bytes = encode_json(&v, &ty).unwrap();
        let back = decode_json(&bytes, &ty).unwrap_or_else(|e| {
            panic!("decode {}: {e}", String::from_utf8_lossy(&bytes))
        });
        prop_assert!(back.semantically_equal(&v), "{v:?}\n{back:?}");
        // serde_json agrees that the output is JSON.
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
        // msgpack and JSON agree on the value.
        let via_msgpack = decode_msgpack(&encode_msgpack(&v, &ty).unwrap(), &ty).unwrap();
        prop_assert!(via_msgpack.semantically_equal(&back));
    }

    #[test]
    fn lossy_json_round_trip((ty, v) in arb_typed(LOSSY)) {
        let j = v.to_json_lossy();
        let back = Value::from_json_typed(&j, &ty).unwrap_or_else(|e| panic!("{j}: {e}"));
        prop_assert!(back.semantically_equal(&v), "{v:?}\n{j}\n{back:?}");
    }

    #[test]
    fn wholly_known_values_have_no_unknowns((_ty, v) in arb_typed(JSON)) {
        prop_assert!(v.is_wholly_known());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(ty in arb_type(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_msgpack(&bytes, &Type::Dynamic);
        let _ = decode_json(&bytes, &ty);
        let _ = decode_json(&bytes, &Type::Dynamic);
    }

    #[test]
    fn mutated_encodings_never_panic(
        (ty, v) in arb_typed(MSGPACK),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = encode_msgpack(&v, &ty).unwrap();
        for (at, byte) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
        if let Ok(back) = decode_msgpack(&bytes, &ty) {
            // Whatever decodes must encode again.
            prop_assert!(encode_msgpack(&back, &ty).is_ok());
        }
        let _ = decode_msgpack(&bytes[..cut.index(bytes.len() + 1)], &ty);

        let known = encode_json(&v, &ty).unwrap_or_else(|_| b"null".to_vec());
        let mut text = known.clone();
        for (at, byte) in &edits {
            let i = at.index(text.len());
            text[i] = *byte;
        }
        let _ = decode_json(&text, &ty);
        let _ = decode_json(&known[..cut.index(known.len() + 1)], &ty);
    }
}

#[test]
fn deep_dynamic_nesting_is_refused() {
    // [type "dynamic", [type "dynamic", …]] nests without any help from the schema type.
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&[0x92, 0xc4, 0x09]);
        bytes.extend_from_slice(b"\"dynamic\"");
    }
    bytes.push(0xc0);
    assert!(decode_msgpack(&bytes, &Type::Dynamic).is_err());

    let mut json = Vec::new();
    for _ in 0..10_000 {
        json.extend_from_slice(br#"{"type":"dynamic","value":"#);
    }
    assert!(decode_json(&json, &Type::Dynamic).is_err());
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(decode_json(deep.as_bytes(), &Type::Dynamic).is_err());
    let v: serde_json::Value =
        serde_json::from_str(&format!("{}1{}", "[".repeat(120), "]".repeat(120))).unwrap();
    assert!(Value::from_json_typed(&v, &Type::Dynamic).is_ok());
}
