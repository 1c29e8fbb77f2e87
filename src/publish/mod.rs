//! Publishing an episode: the context the templates receive, the
//! templates (built in or a show's overrides) rendered for each platform,
//! and the platforms' rules every output is checked against. Each
//! platform is one file under [`platform`] behind the
//! [`platform::Platform`] trait.

mod build;
mod context;
mod escape;
pub mod limits;
mod markup;
pub mod platform;
mod rules;
mod segments;
mod templates;
pub(crate) mod xml;

pub use build::{build, choose, drop_unmet, with_html, Outputs};
pub use context::{
    channel, context, AudioCtx, BlockCtx, CategoryCtx, ChannelCtx, ChapterCtx, Context, EpisodeCtx,
    HtmlCtx, LinkItem, ShowCtx,
};
pub use markup::Part;
pub use rules::allowed_url;
pub use segments::Segment;
pub use templates::{override_paths, render_feed, Templates, FEED_TEMPLATE, FEED_TEMPLATE_SOURCE};
