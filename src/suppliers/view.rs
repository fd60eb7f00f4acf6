//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::model::CheckResult;
use super::store::{Check, Contract, RequirementStatus, Supplier};

impl Check {
    pub fn result_label(&self) -> &'static str {
        self.result.label()
    }
}

impl RequirementStatus {
    pub fn result_label(&self) -> &'static str {
        self.last_result.map_or("Ej kontrollerat", CheckResult::label)
    }
}

impl Contract {
    pub fn systems_text(&self) -> String {
        self.system_names.join(", ")
    }
}

impl Supplier {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }
}
