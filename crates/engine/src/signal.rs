//! The signal model: one finding about one file, explained in English and Dutch.
//!
//! Signals are the engine's only output vocabulary. Every later layer (routing,
//! the web UI, the AI-register reports) reads them, so ids are stable strings
//! and the JSON shape is versioned with [`crate::SCHEMA_VERSION`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a signal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Where the file comes from: camera metadata, Content Credentials.
    Provenance,
    /// Evidence of AI generation.
    Ai,
    /// Evidence that the picture was changed after capture.
    Manipulation,
    /// The same picture seen elsewhere.
    Reuse,
    /// Agreement with the claim's context (dates, places, amounts).
    Context,
    /// The file's own structure: format, truncation, mislabelling.
    Integrity,
}

/// Which way a signal points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Supports that the file is an authentic, unaltered capture.
    SupportsAuthenticity,
    /// Suspicious: a reason for a person to look closer.
    Suspicious,
    /// Neither: context a person may want, such as stripped metadata.
    Neutral,
}

/// A sentence in both languages the product speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// English.
    pub en: String,
    /// Dutch.
    pub nl: String,
}

impl Text {
    /// Builds a text from its English and Dutch versions.
    pub fn new(en: impl Into<String>, nl: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            nl: nl.into(),
        }
    }

    /// Returns the version for `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Nl => &self.nl,
        }
    }
}

/// A user-facing language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Dutch (Nederlands).
    Nl,
}

/// One finding about a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Stable identifier, dotted, e.g. `ai.metadata.digital-source-type`.
    pub id: String,
    /// What the signal is about.
    pub category: Category,
    /// Which way it points.
    pub direction: Direction,
    /// How much weight it carries, from 0 (none) to 1 (conclusive on its own).
    pub strength: f32,
    /// One plain sentence for a person.
    pub summary: Text,
    /// Machine-readable facts behind the sentence.
    pub details: Map<String, Value>,
}

impl Signal {
    /// Starts a signal; add facts with [`Signal::with`].
    pub fn new(
        id: &str,
        category: Category,
        direction: Direction,
        strength: f32,
        summary: Text,
    ) -> Self {
        Self {
            id: id.to_owned(),
            category,
            direction,
            strength: strength.clamp(0.0, 1.0),
            summary,
            details: Map::new(),
        }
    }

    /// Adds one detail, skipping nulls.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !value.is_null() {
            self.details.insert(key.to_owned(), value);
        }
        self
    }

    /// True when the signal points towards a problem.
    pub fn is_suspicious(&self) -> bool {
        self.direction == Direction::Suspicious
    }
}
