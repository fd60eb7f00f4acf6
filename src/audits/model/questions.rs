//! Audit questions: the scale their answers are assessed on.

/// The default scale for assessing audit questions, best first; a municipality can set its own.
pub const DEFAULT_SCALE: [&str; 5] = ["Ja", "I allt väsentligt", "Delvis", "Nej", "Ej bedömd"];

/// A scale as a municipality enters it: 2–7 distinct, non-empty steps.
pub fn check_scale(steps: &[String]) -> Result<Vec<String>, &'static str> {
    let steps: Vec<String> = steps.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let mut distinct = steps.clone();
    distinct.sort();
    distinct.dedup();
    if steps.len() < 2 || steps.len() > 7 {
        return Err("Skalan ska ha mellan två och sju steg.");
    }
    if distinct.len() != steps.len() {
        return Err("Två steg i skalan har samma namn.");
    }
    Ok(steps)
}

/// A class that colours an assessment by its place on the scale, best to worst; "Ej
/// bedömd" (or anything off the scale) is neutral. The word is always shown beside it.
pub fn assessment_class(scale: &[String], value: &str) -> &'static str {
    let graded: Vec<&String> = scale.iter().filter(|s| s.as_str() != "Ej bedömd").collect();
    let Some(index) = graded.iter().position(|s| s.as_str() == value) else { return "assessment-none" };
    const CLASSES: [&str; 4] = ["assessment-good", "assessment-fair", "assessment-poor", "assessment-bad"];
    let step = if graded.len() <= 1 { 0 } else { index * (CLASSES.len() - 1) / (graded.len() - 1) };
    CLASSES[step]
}

#[cfg(test)]
mod scale_tests {
    use super::*;

    #[test]
    fn scales_need_two_to_seven_distinct_steps() {
        let scale = |s: &[&str]| check_scale(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert!(scale(&DEFAULT_SCALE).is_ok());
        assert!(scale(&["Ja"]).is_err());
        assert!(scale(&["Ja", "ja ", "Ja"]).is_err());
        assert_eq!(scale(&[" Uppfyllt ", "", "Ej uppfyllt"]).unwrap(), ["Uppfyllt", "Ej uppfyllt"]);
    }

    #[test]
    fn assessments_are_coloured_by_their_place_on_the_scale() {
        let default: Vec<String> = DEFAULT_SCALE.iter().map(|s| s.to_string()).collect();
        let classes: Vec<&str> = DEFAULT_SCALE.iter().map(|v| assessment_class(&default, v)).collect();
        assert_eq!(
            classes,
            ["assessment-good", "assessment-fair", "assessment-poor", "assessment-bad", "assessment-none"]
        );
        let two = vec!["Uppfyllt".to_string(), "Ej uppfyllt".to_string()];
        assert_eq!(assessment_class(&two, "Ej uppfyllt"), "assessment-bad");
        assert_eq!(assessment_class(&two, "Okänt"), "assessment-none");
    }
}
