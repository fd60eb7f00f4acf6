//! Codes: the short words Lisa stores in text columns (a status, a kind, a verdict). One
//! `codes!` declaration gives a code its Swedish label, the list for select boxes, and the
//! same spelling in PostgreSQL, JSON and the OpenAPI document. A code the database holds
//! that Lisa does not know is an error, never a silent default.

/// Declares an enum of codes: `Variant = "code" => "Etikett"`.
///
/// It derives `Clone, Copy, Debug, PartialEq, Eq, Hash` and implements `code()`, `label()`,
/// `parse()`, `ALL`, `options()` (for a select box), `codes()` (for `= ANY($1)`), `Display` and serde as the code, sqlx as text (decoding an
/// unknown code fails) and a utoipa schema listing the codes.
#[macro_export]
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal => $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// A select box's options, `selected` chosen.
            pub fn options(selected: &str) -> Vec<$crate::web::SelectOption> {
                $crate::web::options(Self::ALL.map(|c| (c.code(), c.label())), selected)
            }

            /// The codes of a set, to bind as `column = ANY($1)`.
            pub fn codes(set: &[Self]) -> Vec<String> {
                set.iter().map(|c| c.code().to_string()).collect()
            }
        }

        /// The code, as CSS classes and query strings want it; `label()` is for people.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&code).ok_or_else(|| serde::de::Error::unknown_variant(&code, &[$($code),+]))
            }
        }

        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::Type<sqlx::Postgres>>::type_info()
            }

            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
            }
        }

        impl sqlx::Encode<'_, sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut sqlx::postgres::PgArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<sqlx::Postgres>>::encode(self.code(), buf)
            }
        }

        // A text[] column of codes reads as a Vec of them.
        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
            }

            fn array_compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                <&str as sqlx::postgres::PgHasArrayType>::array_compatible(ty)
            }
        }

        impl sqlx::Decode<'_, sqlx::Postgres> for $name {
            fn decode(value: sqlx::postgres::PgValueRef<'_>) -> Result<Self, sqlx::error::BoxDynError> {
                let code = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
                Self::parse(code).ok_or_else(|| format!("unknown {} code {code:?}", stringify!($name)).into())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some([$(concat!($code, ": ", $label)),+].join(", ")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

codes! {
    /// How urgent an action or an audit recommendation is: one scale for both, since actions
    /// answer recommendations.
    pub enum Priority {
        High = "hog" => "Hög",
        Medium = "medel" => "Medel",
        Low = "lag" => "Låg",
    }
}

#[cfg(test)]
mod tests {
    crate::codes! {
        /// A colour, for the test.
        enum Colour {
            Red = "rod" => "Röd",
            /// With a doc comment.
            Green = "gron" => "Grön",
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_are_errors() {
        for colour in Colour::ALL {
            assert_eq!(Colour::parse(colour.code()), Some(colour));
        }
        assert_eq!(Colour::Green.label(), "Grön");
        assert_eq!(Colour::parse("bla"), None);
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), "\"rod\"");
        assert_eq!(serde_json::from_str::<Colour>("\"gron\"").unwrap(), Colour::Green);
        let unknown = serde_json::from_str::<Colour>("\"bla\"").unwrap_err().to_string();
        assert!(unknown.contains("rod") && unknown.contains("gron"), "{unknown}");
        assert_eq!(Colour::codes(&[Colour::Red, Colour::Green]), ["rod", "gron"]);
        assert!(Colour::options("gron")[1].selected);
    }

    #[test]
    fn the_schema_lists_the_codes_with_their_labels() {
        let schema = serde_json::to_value(<Colour as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["rod", "gron"]));
        assert_eq!(schema["description"], "rod: Röd, gron: Grön");
    }
}
