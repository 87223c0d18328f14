//! A message written in both languages of the product, for errors whose words are built where
//! they are detected: the pages pick the user's language, the rest (the API, logs) says English.

use std::fmt;

use domain::customer::Language;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    pub fr: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// Both languages of an error that describes itself in either.
    pub fn of(describe: impl Fn(Language) -> String) -> Bilingual {
        Bilingual::new(describe(Language::French), describe(Language::English))
    }

    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::French => &self.fr,
            Language::English => &self.en,
        }
    }
}

impl fmt::Display for Bilingual {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.en)
    }
}
