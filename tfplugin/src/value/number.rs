//! Exact decimal numbers. cty numbers are arbitrary-precision, so a Terraform number must never be
//! funnelled through `f64` or `i64` on its way through the provider.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, ToPrimitive, Zero};

/// Most significant digits accepted when parsing. cty itself keeps 512 bits (about 155 digits);
/// the exact expansion of the smallest `f64` needs 751, so this leaves room while keeping
/// hostile input from costing quadratic big-integer time.
const MAX_DIGITS: usize = 4096;

/// Largest decimal scale (either sign) a parsed number may have once normalised. It keeps the
/// plain-decimal rendering (which cty also uses on the wire) to a bounded size.
const MAX_SCALE: i64 = 20_000;

/// A cty number: an exact decimal, or one of the two infinities cty allows.
#[derive(Debug, Clone)]
pub enum Number {
    Finite(BigDecimal),
    PosInfinity,
    NegInfinity,
}

/// A string that is not a number in the syntax cty accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid number {text:?}: {reason}")]
pub struct ParseNumberError {
    pub text: String,
    pub reason: &'static str,
}

impl Number {
    pub fn zero() -> Number {
        Number::Finite(BigDecimal::zero())
    }

    pub fn from_i64(v: i64) -> Number {
        Number::Finite(BigDecimal::from(v))
    }

    pub fn from_u64(v: u64) -> Number {
        Number::Finite(BigDecimal::from(v))
    }

    /// The exact value of `v` (every finite `f64` is a finite decimal). `None` for NaN, which
    /// cty cannot represent.
    pub fn from_f64(v: f64) -> Option<Number> {
        if v.is_nan() {
            return None;
        }
        if v.is_infinite() {
            return Some(if v > 0.0 {
                Number::PosInfinity
            } else {
                Number::NegInfinity
            });
        }
        let bits = v.to_bits();
        let negative = bits >> 63 == 1;
        let biased_exp = ((bits >> 52) & 0x7ff) as i64;
        let fraction = bits & ((1u64 << 52) - 1);
        // value = mantissa * 2^exp, with subnormals having no implicit leading bit.
        let (mantissa, exp) = if biased_exp == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1u64 << 52), biased_exp - 1075)
        };
        let mut digits = BigInt::from(mantissa);
        let scale = if exp >= 0 {
            digits <<= exp as usize;
            0
        } else {
            // m * 2^-k == m * 5^k / 10^k
            digits *= BigInt::from(5u8).pow(exp.unsigned_abs() as u32);
            -exp
        };
        if negative {
            digits = -digits;
        }
        Some(Number::Finite(BigDecimal::new(digits, scale).normalized()))
    }

    pub fn is_finite(&self) -> bool {
        matches!(self, Number::Finite(_))
    }

    pub fn is_integer(&self) -> bool {
        match self {
            Number::Finite(d) => normal_parts(d).1 <= 0,
            _ => false,
        }
    }

    /// The value as a big integer, if it is integral.
    pub fn to_bigint(&self) -> Option<BigInt> {
        let Number::Finite(d) = self else {
            return None;
        };
        let (digits, scale) = normal_parts(d);
        if scale > 0 {
            return None;
        }
        let shift = u32::try_from(-scale).ok()?;
        Some(digits * BigInt::from(10u8).pow(shift))
    }

    /// The value as `i64`, only when it is integral and in range.
    pub fn to_i64(&self) -> Option<i64> {
        self.small_integer()?.to_i64()
    }

    /// The value as `u64`, only when it is integral and in range.
    pub fn to_u64(&self) -> Option<u64> {
        self.small_integer()?.to_u64()
    }

    /// Like [`Number::to_bigint`], but refuses early when the value cannot fit 64 bits, so a
    /// number like 1e20000 costs nothing.
    fn small_integer(&self) -> Option<BigInt> {
        let Number::Finite(d) = self else {
            return None;
        };
        let (digits, scale) = normal_parts(d);
        if scale > 0 || (scale < -20 && !digits.is_zero()) {
            return None;
        }
        self.to_bigint()
    }

    /// The nearest `f64` (correctly rounded; out-of-range values become infinities).
    pub fn to_f64(&self) -> f64 {
        match self {
            Number::PosInfinity => f64::INFINITY,
            Number::NegInfinity => f64::NEG_INFINITY,
            Number::Finite(d) => {
                let (digits, scale) = normal_parts(d);
                // Rust's float parser rounds exactly, whatever the number of digits.
                format!("{digits}e{}", -scale).parse().unwrap_or(f64::NAN)
            }
        }
    }

    /// The value as `f64` only when the conversion is exact (cty's rule for choosing the msgpack
    /// float64 form). Infinities are exact.
    pub fn to_f64_exact(&self) -> Option<f64> {
        let f = self.to_f64();
        if f.is_nan() {
            return None;
        }
        match Number::from_f64(f) {
            Some(back) if back == *self => Some(f),
            _ => None,
        }
    }

    /// Parses the syntax cty accepts for numbers in strings (Go's `big.ParseFloat` in base 10):
    /// an optional sign, digits with an optional decimal point, an optional exponent, or
    /// `Inf`/`inf` with an optional sign.
    pub fn parse(s: &str) -> Result<Number, ParseNumberError> {
        let fail = |reason| ParseNumberError {
            text: s.chars().take(64).collect(),
            reason,
        };
        let bytes = s.as_bytes();
        let (negative, rest) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            Some(b'+') => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        if rest == b"Inf" || rest == b"inf" {
            return Ok(if negative {
                Number::NegInfinity
            } else {
                Number::PosInfinity
            });
        }

        let mut digits: Vec<u8> = Vec::new();
        let mut frac_len: i64 = 0;
        let mut seen_point = false;
        let mut any_digit = false;
        let mut i = 0;
        while i < rest.len() {
            match rest[i] {
                c @ b'0'..=b'9' => {
                    any_digit = true;
                    // Leading zeros carry no information; dropping them keeps the limit fair.
                    if !(digits.is_empty() && c == b'0') {
                        digits.push(c);
                    }
                    if seen_point {
                        frac_len += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !any_digit {
            return Err(fail("no digits"));
        }

        let mut exp: i64 = 0;
        if i < rest.len() {
            if rest[i] != b'e' && rest[i] != b'E' {
                return Err(fail("unexpected character"));
            }
            i += 1;
            let exp_negative = match rest.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            if i >= rest.len() {
                return Err(fail("missing exponent digits"));
            }
            for &c in &rest[i..] {
                if !c.is_ascii_digit() {
                    return Err(fail("unexpected character in exponent"));
                }
                // Saturate: anything this large is rejected below unless the mantissa is zero.
                exp = exp.saturating_mul(10).saturating_add(i64::from(c - b'0'));
            }
            if exp_negative {
                exp = -exp;
            }
        }

        // Trailing zeros of the digit string only shift the scale.
        let trailing = digits.iter().rev().take_while(|&&c| c == b'0').count();
        digits.truncate(digits.len() - trailing);
        if digits.is_empty() {
            return Ok(Number::zero());
        }
        if digits.len() > MAX_DIGITS {
            return Err(fail("too many significant digits"));
        }
        let scale = (frac_len as i128) - (exp as i128) - (trailing as i128);
        if scale.unsigned_abs() > MAX_SCALE as u128 {
            return Err(fail("exponent out of range"));
        }
        let mut int = BigInt::parse_bytes(&digits, 10).ok_or_else(|| fail("bad digits"))?;
        if negative {
            int = -int;
        }
        Ok(Number::Finite(BigDecimal::new(int, scale as i64)))
    }
}

/// Digits and scale with trailing zeros removed (value = digits × 10^-scale); zero has scale 0.
fn normal_parts(d: &BigDecimal) -> (BigInt, i64) {
    if d.is_zero() {
        return (BigInt::zero(), 0);
    }
    d.normalized().into_bigint_and_exponent()
}

impl fmt::Display for Number {
    /// Plain decimal notation, never an exponent, as cty's `Text('f', -1)` writes it;
    /// infinities as `+Inf` / `-Inf`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = match self {
            Number::PosInfinity => return f.write_str("+Inf"),
            Number::NegInfinity => return f.write_str("-Inf"),
            Number::Finite(d) => d,
        };
        let (digits, scale) = normal_parts(d);
        if digits.sign() == Sign::Minus {
            f.write_str("-")?;
        }
        let abs = digits.magnitude().to_str_radix(10);
        if scale <= 0 {
            f.write_str(&abs)?;
            for _ in 0..scale.unsigned_abs() {
                f.write_str("0")?;
            }
            return Ok(());
        }
        let scale = usize::try_from(scale).map_err(|_| fmt::Error)?;
        if abs.len() > scale {
            let (int, frac) = abs.split_at(abs.len() - scale);
            write!(f, "{int}.{frac}")
        } else {
            f.write_str("0.")?;
            for _ in 0..scale - abs.len() {
                f.write_str("0")?;
            }
            f.write_str(&abs)
        }
    }
}

impl FromStr for Number {
    type Err = ParseNumberError;
    fn from_str(s: &str) -> Result<Number, ParseNumberError> {
        Number::parse(s)
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        use Number::*;
        match (self, other) {
            (Finite(a), Finite(b)) => a.cmp(b),
            (NegInfinity, NegInfinity) | (PosInfinity, PosInfinity) => Ordering::Equal,
            (NegInfinity, _) | (_, PosInfinity) => Ordering::Less,
            (PosInfinity, _) | (_, NegInfinity) => Ordering::Greater,
        }
    }
}

impl Hash for Number {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            // BigDecimal's hash already agrees with its numeric equality.
            Number::Finite(d) => {
                0u8.hash(state);
                d.hash(state);
            }
            Number::PosInfinity => 1u8.hash(state),
            Number::NegInfinity => 2u8.hash(state),
        }
    }
}

impl Default for Number {
    fn default() -> Number {
        Number::zero()
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Number {
                Number::Finite(BigDecimal::from(v))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32, u64);

impl From<BigDecimal> for Number {
    fn from(v: BigDecimal) -> Number {
        Number::Finite(v)
    }
}

impl From<BigInt> for Number {
    fn from(v: BigInt) -> Number {
        Number::Finite(BigDecimal::from(v))
    }
}

impl TryFrom<f64> for Number {
    type Error = ParseNumberError;
    fn try_from(v: f64) -> Result<Number, ParseNumberError> {
        Number::from_f64(v).ok_or(ParseNumberError {
            text: "NaN".into(),
            reason: "NaN is not a number in cty",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn display_is_plain_decimal() {
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("1.500").to_string(), "1.5");
        assert_eq!(n("-0.00012").to_string(), "-0.00012");
        assert_eq!(n("12.5e-3").to_string(), "0.0125");
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("000.000").to_string(), "0");
        assert_eq!(n("+Inf").to_string(), "+Inf");
        assert_eq!(n("-inf").to_string(), "-Inf");
        assert_eq!(
            n("123456789012345678901234567890.5").to_string(),
            "123456789012345678901234567890.5"
        );
        assert_eq!(Number::from(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Number::from(i64::MIN).to_string(), "-9223372036854775808");
    }

    #[test]
    fn parse_accepts_cty_syntax_only() {
        for ok in [
            ".5",
            "5.",
            "+1",
            "1E+2",
            "0e999999999999999999999",
            "-1.2e-3",
        ] {
            assert!(Number::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", " 1", "1 ", "NaN", "Infinity", "1_0",
            "1e99999", "1e-99999",
        ] {
            assert!(Number::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numeric_equality_and_order() {
        assert_eq!(n("1.0"), Number::from(1));
        assert_eq!(n("100"), n("1e2"));
        assert!(n("-Inf") < n("-1e300"));
        assert!(n("1e300") < n("Inf"));
        assert_ne!(Number::PosInfinity, Number::NegInfinity);
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(n("1e2").to_i64(), Some(100));
        assert_eq!(n("1.5").to_i64(), None);
        assert_eq!(n("9223372036854775808").to_i64(), None);
        assert_eq!(n("9223372036854775808").to_u64(), Some(1 << 63));
        assert_eq!(n("-1").to_u64(), None);
        assert_eq!(n("1e5000").to_i64(), None);
        assert!(n("1e5000").is_integer());
        assert!(!n("0.5").is_integer());
        assert!(!Number::PosInfinity.is_integer());
    }

    #[test]
    fn f64_conversions_are_exact() {
        let tenth = Number::from_f64(0.1).unwrap();
        assert_eq!(
            tenth.to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(tenth.to_f64(), 0.1);
        assert_eq!(n("0.1").to_f64_exact(), None);
        assert_eq!(n("0.5").to_f64_exact(), Some(0.5));
        assert_eq!(n("1e400").to_f64(), f64::INFINITY);
        assert!(Number::from_f64(f64::NAN).is_none());
        assert_eq!(Number::from_f64(-0.0).unwrap().to_string(), "0");
        let tiny = Number::from_f64(f64::from_bits(1)).unwrap();
        assert_eq!(tiny.to_f64(), f64::from_bits(1));
        assert_eq!(Number::parse(&tiny.to_string()).unwrap(), tiny);
    }

    proptest! {
        #[test]
        fn f64_round_trips_exactly(f in any::<f64>().prop_filter("not NaN", |f| !f.is_nan())) {
            let num = Number::from_f64(f).unwrap();
            prop_assert_eq!(num.to_f64().to_bits(), if f == 0.0 { 0.0f64.to_bits() } else { f.to_bits() });
            prop_assert_eq!(num.to_f64_exact().is_some(), true);
            prop_assert_eq!(Number::parse(&num.to_string()).unwrap(), num);
        }

        #[test]
        fn i64_round_trips(i in any::<i64>()) {
            let num = Number::from(i);
            prop_assert_eq!(num.to_i64(), Some(i));
            prop_assert_eq!(num.to_string(), i.to_string());
            prop_assert_eq!(Number::parse(&i.to_string()).unwrap(), num);
        }

        #[test]
        fn parse_display_round_trip(
            neg in any::<bool>(),
            int in "[0-9]{1,40}",
            frac in proptest::option::of("[0-9]{1,40}"),
            exp in proptest::option::of(-300i32..300),
        ) {
            let mut s = String::new();
            if neg { s.push('-'); }
            s.push_str(&int);
            if let Some(frac) = &frac { s.push('.'); s.push_str(frac); }
            if let Some(exp) = exp { s.push_str(&format!("e{exp}")); }
            let num = Number::parse(&s).unwrap();
            let shown = num.to_string();
            prop_assert!(!shown.contains('e'));
            let again = Number::parse(&shown).unwrap();
            prop_assert_eq!(&again, &num);
            prop_assert_eq!(again.to_string(), shown);
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = Number::parse(&s);
        }
    }
}
