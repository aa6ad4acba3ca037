//! A pause's input description, rendered as Markdown as Prefect's UI renders it, and inert:
//! every node is built by Leptos (the text is never handed to the browser as HTML), raw HTML
//! in the text shows as the text it is, a link is a link only to `http:`, `https:` or
//! `mailto:` (anything else shows its text alone), and an image shows its alt text, so a
//! description cannot make the page load or run anything.
//!
//! The parser (pulldown-cmark, with its table of HTML's named characters) is a wasm chunk of
//! its own (`split_markdown`): a run whose pause has no description never fetches it, and a run
//! page opened by its link whose pause has one fetches it beside the run page's code (the
//! page's first script, `web/loader/first-reads.js`, preloads it when the run it read names a
//! description).

use leptos::prelude::*;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

use crate::routes::run_chunk::{chunk_view, lazy_view};

/// The text the chunk's view draws, given as context.
#[derive(Clone)]
struct Description(String);

chunk_view!(markdown, draw, "the description");

fn draw() -> AnyView {
    let text = use_context::<Description>()
        .map(|d| d.0)
        .unwrap_or_default();
    view! { <Markdown text=text/> }.into_any()
}

/// The description, once the parser's chunk is here (nothing while it comes: on a run page
/// it comes with the page's own code).
#[component]
pub(crate) fn LazyMarkdown(text: String) -> impl IntoView {
    provide_context(Description(text));
    lazy_view(load, None)
}

/// The description as Markdown, in a `div.markdown`.
#[component]
fn Markdown(text: String) -> impl IntoView {
    // A frame per open tag: the tag and the views made inside it so far.
    let mut stack: Vec<(Option<Tag>, Vec<AnyView>)> = vec![(None, Vec::new())];
    for event in Parser::new_ext(&text, Options::ENABLE_STRIKETHROUGH) {
        let made = match event {
            Event::Start(tag) => {
                stack.push((Some(tag), Vec::new()));
                continue;
            }
            Event::End(_) => match stack.pop() {
                Some((Some(tag), children)) => element(tag, children),
                // The parser balances its tags; an unmatched end would close nothing.
                Some((None, children)) => {
                    stack.push((None, children));
                    continue;
                }
                None => continue,
            },
            Event::Text(text)
            | Event::Html(text)
            | Event::InlineHtml(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text)
            | Event::FootnoteReference(text) => text.to_string().into_any(),
            Event::Code(code) => view! { <code>{code.to_string()}</code> }.into_any(),
            Event::SoftBreak => " ".into_any(),
            Event::HardBreak => view! { <br/> }.into_any(),
            Event::Rule => view! { <hr/> }.into_any(),
            Event::TaskListMarker(done) => (if done { "[x] " } else { "[ ] " }).into_any(),
        };
        if let Some((_, children)) = stack.last_mut() {
            children.push(made);
        }
    }
    // Whatever is still open (nothing, for the parser balances its tags) closes here.
    while stack.len() > 1 {
        if let Some((tag, children)) = stack.pop() {
            let made = match tag {
                Some(tag) => element(tag, children),
                None => children.into_any(),
            };
            if let Some((_, parent)) = stack.last_mut() {
                parent.push(made);
            }
        }
    }
    let children = stack
        .pop()
        .map(|(_, children)| children)
        .unwrap_or_default();
    view! { <div class="description markdown" data-testid="description">{children}</div> }
}

/// The element for one Markdown tag around its children.
fn element(tag: Tag, children: Vec<AnyView>) -> AnyView {
    match tag {
        Tag::Paragraph => view! { <p>{children}</p> }.into_any(),
        // The page's own headings are h1 and h2; the description's sit below them.
        Tag::Heading { level, .. } => match level {
            HeadingLevel::H1 => view! { <h3>{children}</h3> }.into_any(),
            HeadingLevel::H2 => view! { <h4>{children}</h4> }.into_any(),
            HeadingLevel::H3 => view! { <h5>{children}</h5> }.into_any(),
            _ => view! { <h6>{children}</h6> }.into_any(),
        },
        Tag::BlockQuote(_) => view! { <blockquote>{children}</blockquote> }.into_any(),
        Tag::CodeBlock(_) => view! { <pre><code>{children}</code></pre> }.into_any(),
        Tag::List(Some(start)) => view! { <ol start=start.to_string()>{children}</ol> }.into_any(),
        Tag::List(None) => view! { <ul>{children}</ul> }.into_any(),
        Tag::Item => view! { <li>{children}</li> }.into_any(),
        Tag::Emphasis => view! { <em>{children}</em> }.into_any(),
        Tag::Strong => view! { <strong>{children}</strong> }.into_any(),
        Tag::Strikethrough => view! { <del>{children}</del> }.into_any(),
        Tag::Link { dest_url, .. } => match safe_url(&dest_url) {
            Some(href) => view! {
                <a href=href rel="noopener noreferrer nofollow" target="_blank">{children}</a>
            }
            .into_any(),
            None => view! { <span class="unlinked">{children}</span> }.into_any(),
        },
        // The alt text only: a description never makes the page fetch anything.
        Tag::Image { .. } => children.into_any(),
        // Blocks this parser only emits with options left off, and raw HTML blocks (their
        // text arrives as events inside and shows as text).
        _ => view! { <div>{children}</div> }.into_any(),
    }
}

/// `url` when it is an absolute `http:`, `https:` or `mailto:` URL. Browsers ignore ASCII
/// whitespace and control characters inside a scheme (`java\tscript:`), so those are
/// refused rather than read past.
pub(crate) fn safe_url(url: &str) -> Option<String> {
    if url
        .chars()
        .any(|c| c.is_ascii_control() || c.is_whitespace())
    {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::safe_url;

    #[test]
    fn only_web_and_mail_links_are_links() {
        assert_eq!(
            safe_url("https://example.com/a?b=1").as_deref(),
            Some("https://example.com/a?b=1")
        );
        assert!(safe_url("HTTP://EXAMPLE.COM").is_some());
        assert!(safe_url("mailto:ops@example.com").is_some());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            " javascript:alert(1)",
            "\u{0}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "/relative/path",
            "//example.com/protocol-relative",
            "#fragment",
            "",
        ] {
            assert_eq!(safe_url(bad), None, "{bad:?}");
        }
    }
}
