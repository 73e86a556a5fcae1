//! Helpers that generate the repetitive parts of ids and coded enums.

/// An enum whose variants have an English code (`primary`) and a Chinese
/// name (`小学`), with aliases a spreadsheet may use. Generates `code`,
/// `chinese`, `ALL`, `Display` (the code), `FromStr` (code, Chinese or
/// alias, case-insensitive for ASCII), and serde as the code.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $var:ident = $code:literal, $zh:literal $(, $alias:literal)* ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $var, )*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$var, )* ];

            /// The English code used in files and the API.
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $( $name::$var => $code, )* }
            }

            /// The Chinese name used in reports and county spreadsheets.
            #[must_use]
            pub fn chinese(self) -> &'static str {
                match self { $( $name::$var => $zh, )* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ModelError;
            fn from_str(s: &str) -> Result<$name, $crate::ModelError> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) || t == $zh $(|| t.eq_ignore_ascii_case($alias))* {
                        return Ok($name::$var);
                    }
                )*
                Err($crate::ModelError::Parse {
                    what: $what,
                    input: s.to_string(),
                    expected: concat!($( $code, " (", $zh, "), " ),*),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = ::std::borrow::Cow::<str>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// A string identifier newtype: never empty, no surrounding white space, no
/// invisible characters, in Unicode NFKC form (so `Ｇ４３` and `G43` are one
/// id). [`new`] checks; [`FromStr`](std::str::FromStr) and serde first
/// normalize what a file holds ([`normalize_id`](crate::normalize_id)).
///
/// [`new`]: Self::new
macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($crate::ids::IdText);

        impl $name {
            /// A validated id, taken as given.
            ///
            /// # Errors
            /// [`ModelError::InvalidId`](crate::ModelError::InvalidId) if it
            /// is empty, has white space at either end, control or
            /// invisible (zero-width) characters, or is not in NFKC form
            /// (full-width letters and digits); [`parse`](str::parse)
            /// normalizes those first.
            pub fn new(id: impl Into<String>) -> Result<$name, $crate::ModelError> {
                let id = id.into();
                match $crate::ids::id_fault(&id) {
                    None => Ok($name($crate::ids::IdText::of_string(id))),
                    Some(reason) => Err($crate::ModelError::InvalidId { what: $what, input: id, reason }),
                }
            }

            /// The id as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The id's text as bytes: `as_str().as_bytes()`, without the
            /// UTF-8 check `as_str` makes of a short id held in place.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                self.0.as_bytes()
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ModelError;
            /// The id a file's text means: NFKC-normalized (`Ｇ４３` is
            /// `G43`), zero-width characters removed, trimmed; then checked
            /// as [`new`](Self::new) does.
            fn from_str(s: &str) -> Result<$name, $crate::ModelError> {
                // Printable ASCII is its own normal form but for the
                // trimming (as `normalize_id` has it): no text to allocate.
                match $crate::ids::printable_ascii_id(s) {
                    Some(t) => Ok($name($crate::ids::IdText::of_str(t))),
                    None => $name::new($crate::normalize_id(s)),
                }
            }
        }

        impl ::std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = ::std::borrow::Cow::<str>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
