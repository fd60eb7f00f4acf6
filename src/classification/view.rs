//! How the area's rows read on its pages and in its CSV exports: labels and texts made
//! from the stored values, kept apart from the queries that read them.

use super::model;
use super::store::{Measure, RequiredMeasure};

impl Measure {
    pub fn aspect_label(&self) -> &'static str {
        self.aspect.label()
    }

    pub fn applies_to_label(&self) -> &'static str {
        self.applies_to.label()
    }
}

impl RequiredMeasure {
    pub fn status_label(&self) -> &'static str {
        self.status.map_or("Ej bedömd", model::Assessment::label)
    }
}
