//! The OpenAPI document says what the API enforces, so clients (and the fuzzing test) send
//! requests that reach the handlers: request fields get the length limits of `web::input`,
//! ids are UUIDs and dates are dates; and every operation has its own id.

use std::collections::{BTreeSet, HashMap};

use utoipa::openapi::schema::{ArrayItems, KnownFormat, Object, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{OpenApi, PathItem, RefOr};

/// Makes the generated document precise; see the module comment.
pub fn refine(doc: &mut OpenApi) {
    unique_operation_ids(doc);
    describe_request_fields(doc);
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
}

/// Operation ids are the handlers' names, and several areas have a `list` or a `get`: those
/// get their path's first segment in front ("systems_list").
fn unique_operation_ids(doc: &mut OpenApi) {
    let mut uses = HashMap::<String, usize>::new();
    for item in doc.paths.paths.values_mut() {
        for id in operations(item).filter_map(|op| op.operation_id.clone()) {
            *uses.entry(id).or_default() += 1;
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let area = path.trim_start_matches('/').split('/').next().unwrap_or("").replace('-', "_");
        for id in operations(item).filter_map(|op| op.operation_id.as_mut()) {
            if uses.get(id.as_str()).is_some_and(|n| *n > 1) {
                *id = format!("{area}_{id}");
            }
        }
    }
}

/// The schemas that are sent as request bodies.
fn request_schemas(doc: &mut OpenApi) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            let bodies = op.request_body.iter().filter_map(|body| match body {
                RefOr::T(body) => Some(body),
                RefOr::Ref(_) => None,
            });
            let contents = bodies.flat_map(|body| body.content.values()).filter_map(|content| match content {
                RefOr::T(content) => content.schema.as_ref(),
                RefOr::Ref(_) => None,
            });
            for schema in contents {
                if let RefOr::Ref(reference) = schema
                    && let Some(name) = reference.ref_location.rsplit('/').next()
                {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

fn describe_request_fields(doc: &mut OpenApi) {
    let requests = request_schemas(doc);
    let Some(components) = doc.components.as_mut() else { return };
    for (name, schema) in components.schemas.iter_mut() {
        if !requests.contains(name) {
            continue;
        }
        if let RefOr::T(Schema::Object(object)) = schema {
            for (field, property) in object.properties.iter_mut() {
                if let RefOr::T(property) = property {
                    describe(field, property);
                }
            }
        }
    }
}

fn is_string(object: &Object) -> bool {
    matches!(object.schema_type, SchemaType::Type(Type::String))
}

fn describe(field: &str, schema: &mut Schema) {
    match schema {
        Schema::Object(object) if is_string(object) => {
            // Pasted text ("text" on import and parse routes) is longer than elsewhere.
            if object.max_length.is_none() && field != "text" {
                object.max_length = Some(super::input::max_chars(field));
            }
            if object.format.is_none() {
                if field.ends_with("_id") {
                    object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid));
                } else if field.ends_with("_on") || field.ends_with("_date") || field == "as_of" {
                    object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Date));
                }
            }
        }
        Schema::Array(array) if field.ends_with("_ids") => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items
                && let RefOr::T(Schema::Object(item)) = items.as_mut()
                && is_string(item)
            {
                item.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::schema::ObjectBuilder;

    #[test]
    fn request_fields_get_limits_and_formats() {
        let mut title = Schema::Object(ObjectBuilder::new().schema_type(Type::String).build());
        describe("title", &mut title);
        let mut owner = Schema::Object(ObjectBuilder::new().schema_type(Type::String).build());
        describe("owner_person_id", &mut owner);
        let mut due = Schema::Object(ObjectBuilder::new().schema_type(Type::String).build());
        describe("due_date", &mut due);
        let (Schema::Object(title), Schema::Object(owner), Schema::Object(due)) = (title, owner, due) else {
            unreachable!()
        };
        let json = |object: &Object| serde_json::to_value(object).unwrap();
        assert_eq!(json(&title)["maxLength"], 500);
        assert_eq!(json(&owner)["format"], "uuid");
        assert_eq!(
            (&json(&due)["format"], &json(&due)["maxLength"]),
            (&serde_json::json!("date"), &serde_json::json!(20_000))
        );
    }
}
