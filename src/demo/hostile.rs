//! Hostile inputs of the kind the outside probe sent, made here so that the benchmark measures
//! what one such request costs and the tests show it refused.

use lopdf::{Stream, dictionary};

/// A PDF whose `streams` object streams each inflate to `inflated` bytes of spaces: a small
/// file that a reader which inflates everything turns into `streams × inflated` bytes. Written
/// by hand, since lopdf's writer leaves object streams out.
pub fn pdf_bomb(streams: usize, inflated: usize) -> Vec<u8> {
    // Compressed once and repeated: the bomb is cheap to make, whatever it inflates to.
    let mut content = b"1000 0 ".to_vec();
    let first = content.len();
    content.resize(inflated, b' ');
    let mut stream = Stream::new(dictionary! {}, content);
    stream.compress().expect("zlib compresses spaces");
    let deflated = stream.content;

    let mut pdf = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, body: &[u8]| {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    };
    object(&mut pdf, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut pdf, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(&mut pdf, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
    for _ in 0..streams {
        let mut body = format!(
            "<< /Type /ObjStm /N 1 /First {first} /Filter /FlateDecode /Length {} >>\nstream\n",
            deflated.len()
        )
        .into_bytes();
        body.extend_from_slice(&deflated);
        body.extend_from_slice(b"\nendstream");
        object(&mut pdf, &body);
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes());
    for offset in &offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", offsets.len() + 1).as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bomb_is_a_pdf_that_inflates_when_read_without_limits() {
        let bomb = super::pdf_bomb(2, 1024 * 1024);
        assert!(bomb.len() < 10_000, "{} bytes", bomb.len());
        let options = lopdf::LoadOptions { max_decompressed_size: None, ..Default::default() };
        assert!(lopdf::Document::load_mem_with_options(&bomb, options).is_ok(), "a PDF a careless reader opens");
        let options = lopdf::LoadOptions { max_decompressed_size: Some(64 * 1024), ..Default::default() };
        assert!(lopdf::Document::load_mem_with_options(&bomb, options).is_err(), "each stream inflates to 1 MB");
    }
}
