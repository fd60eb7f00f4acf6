//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::store::{Body, GrantView, Invitation, SentInvitation, Unit, UserView};

impl Body {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
}

impl Invitation {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

impl SentInvitation {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

impl Unit {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
}

impl GrantView {
    pub fn role_label(&self) -> &'static str {
        self.role.label()
    }
}

impl UserView {
    pub fn roles_text(&self) -> String {
        self.grants
            .iter()
            .map(|g| match &g.body_name {
                Some(body) => format!("{} ({body})", g.role.label()),
                None => g.role.label().to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
