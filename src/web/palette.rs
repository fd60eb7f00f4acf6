//! The colours that charts draw with as SVG presentation attributes, so that a chart is
//! coloured wherever it is shown (page, print, PDF). They are the stylesheet's tokens too:
//! the test below keeps `static/lisa.css` and this file in step (see docs/design.md).

pub const TEXT: &str = "#1a1d21";
pub const GRID: &str = "#c7ced6";
pub const BRAND: &str = "#0b4f6c";
pub const TRACK: &str = "#e6edf2";
pub const RISK_LOW: &str = "#cfe8d5";
pub const RISK_MEDIUM: &str = "#ffe3a3";
pub const RISK_HIGH: &str = "#f4b6b6";
pub const DANGER: &str = "#a4161a";
pub const WARNING: &str = "#7a4b00";
pub const SUCCESS: &str = "#1b6e3a";
/// Age bands of open recommendations: under a year, one to two years, over two.
pub const AGE_BANDS: [&str; 3] = ["#b7791f", "#c2410c", "#a4161a"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_uses_the_same_colours() {
        let css = include_str!("../../static/lisa.css");
        for (token, value) in [
            ("--color-text", TEXT),
            ("--color-border", GRID),
            ("--color-brand", BRAND),
            ("--chart-track", TRACK),
            ("--risk-low", RISK_LOW),
            ("--risk-medium", RISK_MEDIUM),
            ("--risk-high", RISK_HIGH),
            ("--color-danger", DANGER),
            ("--color-warning", WARNING),
            ("--color-success", SUCCESS),
        ] {
            assert!(css.contains(&format!("{token}: {value};")), "{token} is {value} in lisa.css");
        }
    }
}
