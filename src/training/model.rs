//! Training: campaigns, target groups, participation rates and their trend, and the parser for a
//! learning platform's CSV export (one row per person).

use serde::{Deserialize, Serialize};

use crate::error::FieldErrors;
use crate::web::form::number_in;
use crate::web::format::percent;

crate::codes! {
    /// The target groups of a training, in the order they are shown.
    pub enum Group {
        Alla = "alla" => "Alla medarbetare",
        Fortroendevalda = "fortroendevalda" => "Förtroendevalda",
        Chefer = "chefer" => "Chefer",
        Systemagare = "systemagare" => "Systemägare",
        Forvaltare = "forvaltare" => "Systemförvaltare",
    }
}

impl Group {
    /// Where the group comes in `Group::ALL`: the order groups are shown in.
    pub fn position(self) -> usize {
        Group::ALL.iter().position(|g| *g == self).unwrap_or(Group::ALL.len())
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CampaignForm {
    /// E.g. "Grundutbildning i informationssäkerhet".
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug)]
pub struct CampaignInput {
    pub name: String,
    pub year: i16,
    pub description: String,
}

impl CampaignForm {
    pub fn validate(&self) -> Result<CampaignInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.insert("name".into(), "Ange utbildningens namn.".into());
        }
        let year = number_in(&mut errors, "year", &self.year, 2000, 2100, 0) as i16;
        if self.year.trim().is_empty() {
            errors.insert("year".into(), "Ange vilket år utbildningen gäller.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CampaignInput { name, year, description: self.description.trim().into() })
    }
}

/// How many were in a target group and how many completed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct GroupCount {
    pub target_group: Group,
    pub in_group: i32,
    pub completed: i32,
}

/// Counts as the API sends them: the group as text, checked by the same rule as the form.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
pub struct GroupCountForm {
    /// alla, fortroendevalda, chefer, systemagare or forvaltare.
    pub target_group: String,
    pub in_group: i32,
    pub completed: i32,
}

impl GroupCount {
    pub fn label(&self) -> &'static str {
        self.target_group.label()
    }

    pub fn rate(&self) -> usize {
        percent(self.completed.max(0) as usize, self.in_group.max(0) as usize)
    }
}

/// The participation form: per group, the number in it and the number who completed, as typed.
/// A group left with both fields empty is not part of the campaign.
pub fn validate_counts(typed: &[(String, String, String)]) -> Result<Vec<GroupCount>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut counts = Vec::new();
    for (code, in_group, completed) in typed {
        let Some(group) = Group::parse(code.trim()) else {
            errors.insert("target_group".into(), "Okänd målgrupp.".into());
            continue;
        };
        if in_group.trim().is_empty() && completed.trim().is_empty() {
            continue;
        }
        let in_field = format!("in_group_{group}");
        let done_field = format!("completed_{group}");
        let size = number_in(&mut errors, &in_field, in_group, 0, i32::MAX, 0);
        let done = number_in(&mut errors, &done_field, completed, 0, i32::MAX, 0);
        if done > size && !errors.contains_key(&done_field) {
            errors.insert(done_field, format!("{}: fler har genomfört än som finns i gruppen.", group.label()));
        }
        counts.push(GroupCount { target_group: group, in_group: size, completed: done });
    }
    if errors.is_empty() { Ok(counts) } else { Err(errors) }
}

/// One row of the platform export that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

/// What an export adds up to: counts per group found, and the rows left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub counts: Vec<GroupCount>,
    pub errors: Vec<ImportError>,
    pub people: usize,
}

fn group_of(value: &str) -> Option<Group> {
    let v = value.trim().to_lowercase();
    if v.contains("förtroende") || v.contains("politiker") || v.contains("ledamot") {
        Some(Group::Fortroendevalda)
    } else if v.contains("systemägare") {
        Some(Group::Systemagare)
    } else if v.contains("förvaltare") {
        Some(Group::Forvaltare)
    } else if v.contains("chef") {
        Some(Group::Chefer)
    } else if ["alla", "medarbetare", "anställd", "anställda", "personal"].contains(&v.as_str()) {
        Some(Group::Alla)
    } else {
        None
    }
}

fn completed_of(value: &str) -> Option<bool> {
    let v = value.trim().to_lowercase();
    let no = [
        "",
        "nej",
        "no",
        "0",
        "ej påbörjad",
        "påbörjad",
        "pågående",
        "ej genomförd",
        "ej slutförd",
        "not started",
        "in progress",
    ];
    let yes = ["ja", "j", "yes", "x", "1", "genomförd", "slutförd", "klar", "avklarad", "completed", "godkänd"];
    if no.contains(&v.as_str()) {
        Some(false)
    } else if yes.contains(&v.as_str()) || chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").is_ok() {
        Some(true)
    } else {
        None
    }
}

/// Reads a learning platform's export: a header row naming a target-group column (Målgrupp,
/// Grupp or Roll) and a completion column (Genomförd, Slutförd, Status or Klar), then one row per
/// person. Separated by semicolons, commas or tabs. Fails only when the header cannot be read.
pub fn parse_export(text: &str) -> Result<ImportSummary, String> {
    let text = text.trim_start_matches('\u{feff}');
    let header = text.lines().find(|l| !l.trim().is_empty()).ok_or("Klistra in exporten från lärplattformen.")?;
    let delimiter =
        [b';', b'\t', b','].into_iter().max_by_key(|d| header.bytes().filter(|b| b == d).count()).unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headings: Vec<String> = reader
        .headers()
        .map_err(|_| "Rubrikraden kunde inte läsas.")?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let find = |names: &[&str]| headings.iter().position(|h| names.iter().any(|n| h.starts_with(n)));
    let group_column = find(&["målgrupp", "grupp", "roll", "role", "group", "target"])
        .ok_or("Exporten saknar en kolumn för målgrupp (Målgrupp, Grupp eller Roll).")?;
    let done_column = find(&["genomförd", "slutförd", "status", "klar", "complet", "finished"])
        .ok_or("Exporten saknar en kolumn för genomförande (Genomförd, Slutförd, Status eller Klar).")?;
    let mut counts: Vec<GroupCount> = Vec::new();
    let mut errors = Vec::new();
    let mut people = 0;
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let Ok(record) = record else {
            errors.push(ImportError { line, message: "Raden kunde inte läsas.".into() });
            continue;
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let group_text = record.get(group_column).unwrap_or("");
        let Some(group) = group_of(group_text) else {
            errors.push(ImportError { line, message: format!("Okänd målgrupp ”{}”.", group_text.trim()) });
            continue;
        };
        let done_text = record.get(done_column).unwrap_or("");
        let Some(done) = completed_of(done_text) else {
            errors.push(ImportError {
                line,
                message: format!("Kan inte avgöra om ”{}” betyder genomförd.", done_text.trim()),
            });
            continue;
        };
        people += 1;
        let count = match counts.iter_mut().find(|c| c.target_group == group) {
            Some(count) => count,
            None => {
                counts.push(GroupCount { target_group: group, in_group: 0, completed: 0 });
                counts.last_mut().expect("just pushed")
            }
        };
        count.in_group += 1;
        count.completed += i32::from(done);
    }
    counts.sort_by_key(|c| c.target_group.position());
    Ok(ImportSummary { counts, errors, people })
}

/// Participation per year and group over all campaigns: what the trend table shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct YearRow {
    pub year: i16,
    /// One per group in `Group::ALL` order: the summed counts, or null when the group had no training that year.
    pub groups: Vec<Option<GroupCount>>,
}

impl YearRow {
    /// By reference, as the template passes it.
    pub fn is_lowest(&self, group: &Group) -> bool {
        self.lowest() == Some(*group)
    }

    /// The group with the lowest participation that year (the first of equals).
    pub fn lowest(&self) -> Option<Group> {
        self.groups.iter().flatten().filter(|g| g.in_group > 0).min_by_key(|g| g.rate()).map(|g| g.target_group)
    }
}

/// Sums (year, counts) over campaigns into one row per year, newest first.
pub fn trend(campaigns: &[(i16, &[GroupCount])]) -> Vec<YearRow> {
    let mut years: Vec<i16> = campaigns.iter().map(|(y, _)| *y).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
        .into_iter()
        .map(|year| {
            let groups = Group::ALL
                .into_iter()
                .map(|group| {
                    let of_group = campaigns
                        .iter()
                        .filter(|(y, _)| *y == year)
                        .flat_map(|(_, counts)| counts.iter())
                        .filter(|c| c.target_group == group);
                    of_group.fold(None, |sum: Option<GroupCount>, c| {
                        let mut sum = sum.unwrap_or(GroupCount { target_group: group, in_group: 0, completed: 0 });
                        sum.in_group += c.in_group;
                        sum.completed += c.completed;
                        Some(sum)
                    })
                })
                .collect();
            YearRow { year, groups }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(group: &str, in_group: i32, completed: i32) -> GroupCount {
        GroupCount { target_group: Group::parse(group).unwrap(), in_group, completed }
    }

    #[test]
    fn rates_round_and_survive_empty_groups() {
        assert_eq!(count("alla", 1200, 1010).rate(), 84);
        assert_eq!(count("fortroendevalda", 0, 0).rate(), 0);
    }

    #[test]
    fn the_form_refuses_more_completed_than_in_the_group() {
        let typed = |size: &str, done: &str| vec![("fortroendevalda".to_string(), size.to_string(), done.to_string())];
        let errors = validate_counts(&typed("20", "25")).unwrap_err();
        assert!(errors["completed_fortroendevalda"].contains("fler har genomfört"), "{errors:?}");
        assert!(validate_counts(&typed("tjugo", "")).unwrap_err().contains_key("in_group_fortroendevalda"));
        assert_eq!(validate_counts(&typed("", "")).unwrap(), vec![]);
        assert_eq!(validate_counts(&typed("61", "19")).unwrap(), vec![count("fortroendevalda", 61, 19)]);
    }

    #[test]
    fn reads_a_platform_export_with_its_own_words() {
        let text = "\u{feff}Namn;E-post;Målgrupp;Status;Datum\n\
                    Anna Nilsson;anna@x.se;Medarbetare;Genomförd;2026-03-01\n\
                    Per Ek;per@x.se;Förtroendevald;Ej påbörjad;\n\
                    Lisa Ek;lisa@x.se;Förtroendevald;2026-04-02;\n\
                    Olle Berg;olle@x.se;Chef;ej genomförd;\n\
                    Ulla Å;ulla@x.se;Vaktmästare;Genomförd;\n\
                    Sven Ö;sven@x.se;Medarbetare;kanske;\n\
                    \n";
        let summary = parse_export(text).unwrap();
        assert_eq!(summary.people, 4);
        assert_eq!(summary.counts, vec![count("alla", 1, 1), count("fortroendevalda", 2, 1), count("chefer", 1, 0)]);
        assert_eq!(summary.errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![6, 7]);
        assert!(summary.errors[0].message.contains("Vaktmästare"));

        let commas = "name,role,completed\nA,Systemägare,yes\nB,Systemförvaltare,no\n";
        let summary = parse_export(commas).unwrap();
        assert_eq!(summary.counts, vec![count("systemagare", 1, 1), count("forvaltare", 1, 0)]);
        assert!(parse_export("Namn;E-post\nA;a@x.se").unwrap_err().contains("målgrupp"));
        assert!(parse_export("  ").is_err());
    }

    #[test]
    fn the_trend_sums_campaigns_per_year_and_finds_the_lowest_group() {
        let basic_2025 = [count("alla", 1000, 700), count("fortroendevalda", 60, 15)];
        let basic_2026 = [count("alla", 1000, 850), count("fortroendevalda", 60, 30)];
        let owners_2026 = [count("systemagare", 40, 36), count("alla", 10, 10)];
        let rows = trend(&[(2025, &basic_2025), (2026, &basic_2026), (2026, &owners_2026)]);
        assert_eq!(rows.iter().map(|r| r.year).collect::<Vec<_>>(), vec![2026, 2025]);
        assert_eq!(rows[0].groups[0], Some(count("alla", 1010, 860)));
        assert_eq!(rows[0].groups[2], None, "no training for managers in 2026");
        assert_eq!(rows[0].lowest(), Some(Group::Fortroendevalda));
        assert_eq!(rows[1].lowest(), Some(Group::Fortroendevalda));
    }
}
