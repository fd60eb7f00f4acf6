//! Charts for the annual report, drawn as SVG on the server. Colours are presentation
//! attributes (not CSS), so the same SVG renders in the browser, in print and in the PDF.
//! Every chart carries a title and a description, and the page shows its figures as a table.

use super::figures::Figures;

use crate::web::palette::{AGE_BANDS as AGE_COLOURS, BRAND, DANGER, GRID, SUCCESS, TEXT as INK, TRACK, WARNING};

/// Open, claimed, closed.
const STATUS_COLOURS: [&str; 3] = [DANGER, WARNING, SUCCESS];

/// A chart and the table that says the same in words.
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    pub svg: String,
    /// The SVG's own width in pixels, so the PDF can print it at its natural size.
    pub width: i32,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn open_svg(id: &str, width: i32, height: i32, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    )
}

fn text(x: i32, y: i32, anchor: &str, content: &str) -> String {
    format!("<text x=\"{x}\" y=\"{y}\" text-anchor=\"{anchor}\" fill=\"{INK}\">{}</text>", escape(content))
}

fn rect(x: i32, y: i32, width: i32, height: i32, fill: &str) -> String {
    format!("<rect x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" fill=\"{fill}\"/>")
}

/// Recommendations by the year they were first made, stacked by where they stand now.
pub fn recommendation_status(figures: &Figures) -> Chart {
    let years = &figures.recommendations.by_year;
    let title = "Revisionsrekommendationer per år och status";
    let most = years.iter().map(|(_, o, c, v)| o + c + v).max().unwrap_or(0).max(1);
    // Wide enough for the legend even with a single year.
    let (width, height, base, column) = ((80 + 70 * years.len() as i32).max(340), 230, 180, 40);
    let mut svg = open_svg(
        "chart-recommendations",
        width,
        height,
        title,
        "Staplade staplar per år då rekommendationen först lämnades: öppna, åtgärdade enligt kommunen men inte verifierade, och stängda. Samma siffror finns i tabellen.",
    );
    svg.push_str(&format!("<line x1=\"40\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\" stroke=\"{GRID}\"/>"));
    for (i, (year, open, claimed, verified)) in years.iter().enumerate() {
        let x = 60 + 70 * i as i32;
        let mut top = base;
        for (value, colour) in [*open, *claimed, *verified].into_iter().zip(STATUS_COLOURS) {
            let h = (value as i32 * 150) / most as i32;
            top -= h;
            if h > 0 {
                svg.push_str(&rect(x, top, column, h, colour));
            }
        }
        svg.push_str(&text(x + column / 2, top - 4, "middle", &(open + claimed + verified).to_string()));
        svg.push_str(&text(x + column / 2, base + 16, "middle", &year.to_string()));
    }
    for (i, (label, colour)) in ["Öppna", "Åtgärdade", "Stängda"].iter().zip(STATUS_COLOURS).enumerate() {
        let x = 40 + 95 * i as i32;
        svg.push_str(&rect(x, height - 20, 12, 12, colour));
        svg.push_str(&text(x + 16, height - 10, "start", label));
    }
    svg.push_str("</svg>");
    Chart {
        id: "chart-recommendations",
        title: title.into(),
        svg,
        width,
        headings: ["År", "Öppna", "Åtgärdade enligt kommunen", "Stängda"].map(String::from).to_vec(),
        rows: years
            .iter()
            .map(|(y, o, c, v)| vec![y.to_string(), o.to_string(), c.to_string(), v.to_string()])
            .collect(),
    }
}

/// The share of each body's systems that is classified (bodies that keep systems).
pub fn classification_per_body(figures: &Figures) -> Chart {
    let title = "Andel klassade system per nämnd och bolag";
    let bodies: Vec<_> = figures.bodies.iter().filter(|b| b.systems > 0).collect();
    let (label_width, bar_width, row) = (220, 300, 26);
    let height = 20 + row * bodies.len().max(1) as i32;
    let width = label_width + bar_width + 60;
    let mut svg = open_svg(
        "chart-classification",
        width,
        height,
        title,
        "Vågräta staplar: andel av varje organs system vars information är klassad. Samma siffror finns i tabellen.",
    );
    for (i, body) in bodies.iter().enumerate() {
        let y = 10 + row * i as i32;
        let percent = crate::web::format::percent(body.classified, body.systems) as i32;
        svg.push_str(&text(label_width - 8, y + 14, "end", &body.name));
        svg.push_str(&rect(label_width, y + 2, bar_width, 16, TRACK));
        svg.push_str(&rect(label_width, y + 2, bar_width * percent / 100, 16, BRAND));
        svg.push_str(&text(label_width + bar_width + 6, y + 14, "start", &format!("{percent} %")));
    }
    svg.push_str("</svg>");
    Chart {
        id: "chart-classification",
        title: title.into(),
        svg,
        width,
        headings: ["Organ", "System", "Klassade", "Andel"].map(String::from).to_vec(),
        rows: bodies
            .iter()
            .map(|b| {
                vec![
                    b.name.clone(),
                    b.systems.to_string(),
                    b.classified.to_string(),
                    super::figures::share(b.classified, b.systems),
                ]
            })
            .collect(),
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

/// Incidents discovered per month of the year.
pub fn incidents_per_month(figures: &Figures) -> Chart {
    let title = format!("Incidenter per månad {}", figures.year);
    let months = &figures.incidents.per_month;
    let most = months.iter().copied().max().unwrap_or(0).max(1);
    let (width, height, base) = (12 * 40 + 40, 200, 170);
    let mut svg = open_svg(
        "chart-incidents",
        width,
        height,
        &title,
        "Stående staplar: antal incidenter som upptäcktes varje månad. Samma siffror finns i tabellen.",
    );
    svg.push_str(&format!("<line x1=\"20\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\" stroke=\"{GRID}\"/>"));
    for (i, count) in months.iter().enumerate() {
        let x = 30 + 40 * i as i32;
        let h = (*count as i32 * 140) / most as i32;
        if h > 0 {
            svg.push_str(&rect(x, base - h, 28, h, BRAND));
        }
        svg.push_str(&text(x + 14, base - h - 4, "middle", &count.to_string()));
        svg.push_str(&text(x + 14, base + 16, "middle", MONTHS[i]));
    }
    svg.push_str("</svg>");
    Chart {
        id: "chart-incidents",
        title,
        svg,
        width,
        headings: ["Månad", "Incidenter"].map(String::from).to_vec(),
        rows: months.iter().zip(MONTHS).map(|(c, m)| vec![m.to_string(), c.to_string()]).collect(),
    }
}

/// The municipality's risk matrix: consequence up the side, likelihood along the bottom.
pub fn risk_matrix(figures: &Figures) -> Chart {
    let risks = &figures.risks;
    let max = risks.scale_max.max(1);
    let title = "Kommunens riskmatris";
    let (cell, left) = (48, 44);
    let size = cell * max as i32;
    let (width, height) = (left + size + 10, size + 50);
    let mut svg = open_svg(
        "chart-risks",
        width,
        height,
        title,
        "Antal risker per sannolikhet (vågrätt) och konsekvens (lodrätt); färgen visar nivån låg, medel eller hög. Samma siffror finns i tabellen.",
    );
    let count = |l: i16, c: i16| risks.cells.iter().find(|x| x.0 == l && x.1 == c).map(|x| x.2).unwrap_or(0);
    for c in 1..=max {
        let y = (max - c) as i32 * cell;
        svg.push_str(&text(left - 8, y + cell / 2 + 4, "end", &c.to_string()));
        for l in 1..=max {
            let x = left + (l - 1) as i32 * cell;
            let fill = crate::risks::model::RiskLevel::of(l * c, risks.medium_from, risks.high_from).fill();
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"#ffffff\"/>"
            ));
            let n = count(l, c);
            if n > 0 {
                svg.push_str(&text(x + cell / 2, y + cell / 2 + 5, "middle", &n.to_string()));
            }
        }
    }
    for l in 1..=max {
        svg.push_str(&text(left + (l - 1) as i32 * cell + cell / 2, size + 16, "middle", &l.to_string()));
    }
    svg.push_str(&text(left + size / 2, size + 38, "middle", "Sannolikhet"));
    svg.push_str(&format!(
        "<text x=\"12\" y=\"{}\" text-anchor=\"middle\" fill=\"{INK}\" transform=\"rotate(-90 12 {})\">Konsekvens</text>",
        size / 2,
        size / 2
    ));
    svg.push_str("</svg>");
    let mut headings = vec!["Konsekvens \\ Sannolikhet".to_string()];
    headings.extend((1..=max).map(|l| l.to_string()));
    let rows = (1..=max)
        .rev()
        .map(|c| {
            let mut row = vec![c.to_string()];
            row.extend((1..=max).map(|l| count(l, c).to_string()));
            row
        })
        .collect();
    Chart { id: "chart-risks", title: title.into(), svg, width, headings, rows }
}

/// Age bands of open recommendations, youngest first.
const AGE_BANDS: [(&str, &str); 3] =
    [("Under 1 år", AGE_COLOURS[0]), ("1–2 år", AGE_COLOURS[1]), ("Över 2 år", AGE_COLOURS[2])];

fn age_band(months: Option<u32>) -> usize {
    match months.unwrap_or(0) {
        m if m < 12 => 0,
        m if m < 24 => 1,
        _ => 2,
    }
}

/// Each body's open recommendations on the report's date, stacked by how old they are: what
/// the board is asked to act on.
pub fn recommendation_age(figures: &Figures) -> Chart {
    let title = "Öppna revisionsrekommendationer per organ och ålder";
    let mut bodies: Vec<(String, [usize; 3])> = Vec::new();
    for r in &figures.recommendation_list {
        for name in &r.bodies {
            let index = match bodies.iter().position(|(n, _)| n == name) {
                Some(index) => index,
                None => {
                    bodies.push((name.clone(), [0; 3]));
                    bodies.len() - 1
                }
            };
            bodies[index].1[age_band(r.age_months)] += 1;
        }
    }
    bodies.sort_by(|a, b| a.0.cmp(&b.0));
    let most = bodies.iter().map(|(_, c)| c.iter().sum::<usize>()).max().unwrap_or(0).max(1);
    let (label_width, bar_width, row) = (220, 280, 26);
    let height = 50 + row * bodies.len().max(1) as i32;
    let width = label_width + bar_width + 50;
    let mut svg = open_svg(
        "chart-recommendation-age",
        width,
        height,
        title,
        "Vågräta staplade staplar per organ: öppna rekommendationer yngre än ett år, ett till två år och äldre än två år. Samma siffror finns i tabellen.",
    );
    for (i, (name, counts)) in bodies.iter().enumerate() {
        let y = 10 + row * i as i32;
        svg.push_str(&text(label_width - 8, y + 14, "end", name));
        let mut x = label_width;
        for (count, (_, colour)) in counts.iter().zip(AGE_BANDS) {
            let w = (*count as i32 * bar_width) / most as i32;
            if w > 0 {
                svg.push_str(&rect(x, y + 2, w, 16, colour));
            }
            x += w;
        }
        svg.push_str(&text(x + 6, y + 14, "start", &counts.iter().sum::<usize>().to_string()));
    }
    for (i, (label, colour)) in AGE_BANDS.iter().enumerate() {
        let x = label_width + 100 * i as i32 - 100;
        svg.push_str(&rect(x.max(10), height - 20, 12, 12, colour));
        svg.push_str(&text(x.max(10) + 16, height - 10, "start", label));
    }
    svg.push_str("</svg>");
    let mut headings = vec!["Organ".to_string()];
    headings.extend(AGE_BANDS.iter().map(|(label, _)| label.to_string()));
    headings.push("Öppna".into());
    let rows = bodies
        .iter()
        .map(|(name, counts)| {
            let mut row = vec![name.clone()];
            row.extend(counts.iter().map(usize::to_string));
            row.push(counts.iter().sum::<usize>().to_string());
            row
        })
        .collect();
    Chart { id: "chart-recommendation-age", title: title.into(), svg, width, headings, rows }
}

/// The chart read with the briefing (open recommendations by body and age), and the others.
pub fn lead_and_rest(figures: &Figures) -> (Option<Chart>, Vec<Chart>) {
    let mut charts = all(figures);
    let lead = charts.first().is_some_and(|c| c.id == "chart-recommendation-age").then(|| charts.remove(0));
    (lead, charts)
}

/// The charts that have something to show, in the order the report shows them.
pub fn all(figures: &Figures) -> Vec<Chart> {
    let mut charts = Vec::new();
    if !figures.recommendation_list.is_empty() {
        charts.push(recommendation_age(figures));
    }
    if !figures.recommendations.by_year.is_empty() {
        charts.push(recommendation_status(figures));
    }
    if figures.bodies.iter().any(|b| b.systems > 0) {
        charts.push(classification_per_body(figures));
    }
    if figures.incidents.per_month.iter().any(|n| *n > 0) {
        charts.push(incidents_per_month(figures));
    }
    if !figures.risks.cells.is_empty() {
        charts.push(risk_matrix(figures));
    }
    charts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::figures::{
        IncidentFigures, RecommendationFigures, ReportedRecommendation, RiskFigures, SystemFigures,
    };
    use crate::web::palette::RISK_HIGH;

    fn open(body: &str, age_months: u32) -> ReportedRecommendation {
        ReportedRecommendation {
            id: uuid::Uuid::nil(),
            text: "Utse systemägare".into(),
            audit_title: "Granskning".into(),
            bodies: vec![body.into()],
            body_ids: Vec::new(),
            first_reported: None,
            latest_verdict: None,
            latest_follow_up_on: None,
            age_at_follow_up_months: None,
            age_months: Some(age_months),
            status: "Öppen".into(),
            responsible: None,
        }
    }

    fn figures() -> Figures {
        Figures {
            year: 2026,
            bodies: vec![
                SystemFigures {
                    name: "Välfärdsnämnden & <bolaget>".into(),
                    systems: 4,
                    classified: 3,
                    ..Default::default()
                },
                SystemFigures { name: "Tom nämnd".into(), systems: 2, ..Default::default() },
            ],
            recommendation_list: vec![
                open("Kommunstyrelsen", 25),
                open("Kommunstyrelsen", 3),
                open("Bildningsnämnden", 13),
            ],
            recommendations: RecommendationFigures {
                by_year: vec![(2023, 2, 1, 5), (2025, 4, 0, 0)],
                ..Default::default()
            },
            incidents: IncidentFigures { per_month: vec![1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2, 0], ..Default::default() },
            risks: RiskFigures {
                scale_max: 4,
                medium_from: 4,
                high_from: 9,
                cells: vec![(3, 4, 2), (1, 1, 5)],
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn charts_are_well_formed_svg_with_a_title_and_their_figures_as_a_table() {
        for chart in all(&figures()) {
            let document = roxmltree::Document::parse(&chart.svg).unwrap_or_else(|e| panic!("{}: {e}", chart.id));
            let root = document.root_element();
            assert_eq!(root.tag_name().name(), "svg");
            assert_eq!(root.attribute("role"), Some("img"));
            let title = root.children().find(|n| n.has_tag_name("title")).expect("a title");
            assert_eq!(title.text(), Some(chart.title.as_str()));
            assert!(
                !chart.rows.is_empty() && chart.rows.iter().all(|r| r.len() == chart.headings.len()),
                "{}",
                chart.id
            );
        }
    }

    #[test]
    fn charts_show_the_numbers_they_are_given() {
        let f = figures();
        let classification = classification_per_body(&f);
        assert!(classification.svg.contains("Välfärdsnämnden &amp; &lt;bolaget&gt;"), "labels are escaped");
        assert_eq!(classification.rows[0][3], "75 %");
        assert_eq!(classification.rows[1][3], "0 %");
        let matrix = risk_matrix(&f);
        assert_eq!(matrix.rows[0], vec!["4", "0", "0", "2", "0"], "consequence 4 on top");
        assert_eq!(matrix.rows[3], vec!["1", "5", "0", "0", "0"]);
        assert!(matrix.svg.contains(RISK_HIGH), "3 × 4 = 12 is high");
        let incidents = incidents_per_month(&f);
        assert_eq!(incidents.rows[2], vec!["mar", "3"]);
        assert_eq!(recommendation_status(&f).rows[0], vec!["2023", "2", "1", "5"]);
        let ages = recommendation_age(&f);
        assert_eq!(
            ages.rows,
            vec![vec!["Bildningsnämnden", "0", "1", "0", "1"], vec!["Kommunstyrelsen", "1", "0", "1", "2"]]
        );
    }

    #[test]
    fn charts_without_data_are_left_out() {
        let ids: Vec<&str> = all(&Figures::default()).iter().map(|c| c.id).collect();
        assert!(ids.is_empty(), "{ids:?}");
        assert_eq!(all(&figures()).len(), 5);
    }
}
