//! Whether a recommendation pasted from a follow-up report repeats one the follow-up carries.
//!
//! Follow-up reports restate the earlier recommendations that remain, often word for word,
//! sometimes with the addressee or "Vi rekommenderar att" put in front, a word changed, or the
//! line breaks of another PDF. The rule compares the words that carry meaning: two texts
//! repeat each other when they share at least four fifths of the longer one's words.

use std::collections::HashSet;

use uuid::Uuid;

/// Words that frame a recommendation rather than say what it asks for.
const FRAMING: &[&str] = &[
    "vi",
    "rekommenderar",
    "rekommendation",
    "rekommendationer",
    "att",
    "och",
    "i",
    "på",
    "av",
    "för",
    "till",
    "med",
    "som",
    "en",
    "ett",
    "den",
    "det",
    "de",
    "bör",
    "ska",
    "skall",
    "kan",
    "om",
    "är",
    "samt",
    "så",
    "kommunstyrelsen",
    "nämnden",
    "nämnderna",
    "styrelsen",
    "revisorerna",
];

/// The least share of the longer text's words the shorter must have for a repeat.
const SHARED: f64 = 0.8;

/// Endings of Swedish inflection, longest first: "genomföra" and "genomför", "avtalen" and
/// "avtal", "nämndernas" and "nämndens" meet in one stem.
const ENDINGS: &[&str] =
    &["ernas", "arnas", "ornas", "erna", "arna", "orna", "ens", "ets", "en", "et", "er", "ar", "or", "na", "a", "s"];

/// A word's stem: its longest ending removed where at least four letters remain.
fn stem(word: &str) -> String {
    ENDINGS
        .iter()
        .find_map(|ending| word.strip_suffix(ending).filter(|rest| rest.chars().count() >= 4))
        .unwrap_or(word)
        .to_string()
}

/// The words of a text that carry meaning, by stem: lower case, letters and digits only,
/// framing words and section numbers ("3.2.1") left out.
pub fn meaningful_words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !FRAMING.contains(w))
        .map(stem)
        .collect()
}

/// A shortened restatement repeats when every one of its words, at least this many, is in
/// the other: "genomföra och dokumentera riskanalyser för informationssäkerheten" of the same
/// with "i nämndens verksamhet" after it.
const CONTAINED_WORDS: usize = 4;

/// How much two texts say the same: the words they share over the words of the longer.
pub fn similarity(a: &str, b: &str) -> f64 {
    overlap(&meaningful_words(a), &meaningful_words(b)).0
}

/// The share of the longer's words both have, and whether the shorter lies wholly in the
/// longer with enough words to mean something.
fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> (f64, bool) {
    let (longer, shorter) = (a.len().max(b.len()), a.len().min(b.len()));
    if longer == 0 {
        return (0.0, false);
    }
    let shared = a.intersection(b).count();
    (shared as f64 / longer as f64, shorter >= CONTAINED_WORDS && shared == shorter)
}

/// The carried recommendation a pasted text repeats, if any: the most similar of those that
/// share four fifths of their words with it or contain it wholly.
pub fn repeats(pasted: &str, carried: &[(Uuid, String)]) -> Option<Uuid> {
    let pasted = meaningful_words(pasted);
    carried
        .iter()
        .map(|(id, text)| (*id, overlap(&pasted, &meaningful_words(text))))
        .filter(|(_, (share, contained))| *share >= SHARED || *contained)
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recommendations as a 2021 review of information security wrote them (in the manner of
    /// Kramfors'), and the follow-up's restatements of 2023.
    const REVIEW_2021: [&str; 8] = [
        "Säkerställa att det finns en aktuell informationssäkerhetspolicy som är antagen av kommunfullmäktige.",
        "Tydliggöra roller och ansvar för informationssäkerhetsarbetet, inklusive systemägare och informationsägare.",
        "Genomföra informationsklassning av kommunens verksamhetskritiska system.",
        "Genomföra och dokumentera riskanalyser för informationssäkerheten.",
        "Upprätta en plan för utbildning och medvetandehöjande insatser för medarbetare och förtroendevalda.",
        "Säkerställa att incidenter rapporteras, dokumenteras och följs upp enligt fastställd rutin.",
        "Säkerställa att krav på informationssäkerhet ställs och följs upp i avtal med leverantörer.",
        "Säkerställa att kommunstyrelsen regelbundet får rapportering om informationssäkerhetsarbetet.",
    ];

    fn carried() -> Vec<(Uuid, String)> {
        REVIEW_2021.iter().enumerate().map(|(i, t)| (Uuid::from_u128(i as u128 + 1), t.to_string())).collect()
    }

    #[test]
    fn restatements_in_a_follow_up_are_recognised() {
        let cases = [
            // Word for word, with another PDF's line breaks and a section number.
            (
                "3.3.1 Säkerställa att det finns en aktuell informationssäkerhetspolicy som är\nantagen av kommunfullmäktige.",
                Some(1),
            ),
            // The addressee and "bör" put in front.
            (
                "Kommunstyrelsen bör tydliggöra roller och ansvar för informationssäkerhetsarbetet, inklusive systemägare och informationsägare.",
                Some(2),
            ),
            // "Vi rekommenderar att" in front and the verb in another form.
            (
                "Vi rekommenderar att kommunstyrelsen genomför informationsklassning av kommunens verksamhetskritiska system",
                Some(3),
            ),
            // The imperative where the original has the infinitive.
            ("Genomför informationsklassning av kommunens verksamhetskritiska system.", Some(3)),
            // Another case.
            ("GENOMFÖRA INFORMATIONSKLASSNING AV KOMMUNENS VERKSAMHETSKRITISKA SYSTEM.", Some(3)),
            // One word changed of many.
            ("Genomföra och dokumentera riskanalyser avseende informationssäkerheten.", Some(4)),
            ("Säkerställa att krav på informationssäkerhet ställs och följs upp i avtalen med leverantörer.", Some(7)),
            // Shortened: every word of it in the original.
            ("Säkerställa att incidenter rapporteras och följs upp.", Some(6)),
            // New in the follow-up: not a repeat of anything.
            ("Säkerställa att det finns en kontinuitetsplan för kommunens kritiska verksamheter.", None),
            ("Utse en informationssäkerhetssamordnare med tillräckliga resurser.", None),
        ];
        for (pasted, expected) in cases {
            assert_eq!(repeats(pasted, &carried()), expected.map(|n: u128| Uuid::from_u128(n)), "{pasted}");
        }
    }

    #[test]
    fn inflections_meet_in_one_stem() {
        for (a, b) in [("genomföra", "genomför"), ("avtalen", "avtal"), ("nämndernas", "nämndens"), ("följa", "följ")]
        {
            assert_eq!(stem(a), stem(b), "{a} {b}");
        }
        assert_eq!(stem("data"), "data", "short words are left alone");
    }

    #[test]
    fn similar_wording_about_different_things_is_not_a_repeat() {
        // Same frame ("Säkerställa att …"), different subject.
        let a = "Säkerställa att incidenter rapporteras, dokumenteras och följs upp enligt fastställd rutin.";
        let b = "Säkerställa att kommunstyrelsen regelbundet får rapportering om informationssäkerhetsarbetet.";
        assert!(similarity(a, b) < 0.3);
        assert_eq!(repeats("", &carried()), None);
        assert_eq!(repeats("Säkerställa att.", &carried()), None, "framing words alone say nothing");
        assert_eq!(repeats("Säkerställa rutin.", &carried()), None, "two words contained are too few");
    }

    #[test]
    fn the_most_similar_is_chosen() {
        let carried = vec![
            (
                Uuid::from_u128(1),
                "Genomföra riskanalyser för verksamhetskritiska system och dokumentera dem".to_string(),
            ),
            (Uuid::from_u128(2), "Genomföra riskanalyser för verksamhetskritiska system".to_string()),
        ];
        assert_eq!(
            repeats("Genomföra riskanalyser för verksamhetskritiska system.", &carried),
            Some(Uuid::from_u128(2))
        );
    }
}
