//! French word lists the names, e-mails and addresses are drawn from.
//!
//! Fixed, ordered slices (never sets or maps) so that drawing an index gives the same word on
//! every machine. Accents are kept in names as a French creditor writes them; `slug` turns them
//! into the ASCII that e-mail addresses need.

/// Trades of the small businesses a French SME invoices.
pub(crate) const ACTIVITIES: &[&str] = &[
    "Boulangerie",
    "Boucherie",
    "Charcuterie",
    "Pâtisserie",
    "Fromagerie",
    "Épicerie",
    "Brasserie",
    "Restaurant",
    "Hôtel",
    "Garage",
    "Carrosserie",
    "Plomberie",
    "Électricité",
    "Menuiserie",
    "Maçonnerie",
    "Peinture",
    "Couverture",
    "Serrurerie",
    "Chauffage",
    "Paysages",
    "Pharmacie",
    "Optique",
    "Librairie",
    "Imprimerie",
    "Fleurs",
    "Coiffure",
    "Transports",
    "Déménagements",
    "Nettoyage",
    "Informatique",
    "Conseil",
    "Architecture",
    "Immobilier",
    "Agencement",
    "Traiteur",
    "Vins",
    "Textile",
    "Métallerie",
    "Ébénisterie",
    "Quincaillerie",
];

/// Common French family names (INSEE's most frequent, with their accents).
pub(crate) const SURNAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
];

/// Common French first names, for consumers.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Marie",
    "Jean",
    "Pierre",
    "Michel",
    "Nathalie",
    "Isabelle",
    "Sophie",
    "Philippe",
    "Catherine",
    "Nicolas",
    "Julien",
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Hugo",
    "Lucas",
    "Louis",
    "Emma",
    "Inès",
    "Jérôme",
    "Hélène",
    "Céline",
    "Stéphane",
    "Sébastien",
    "Françoise",
    "Thomas",
    "Antoine",
    "Élodie",
    "Aurélie",
    "Mathieu",
    "Laurent",
    "Valérie",
    "Sandrine",
    "Christophe",
    "Frédéric",
    "Anaïs",
    "Théo",
    "Zoé",
    "Gaëlle",
];

/// A French city, a postal code in it and its telephone zone (01 Île-de-France, 02 north-west,
/// 03 north-east, 04 south-east, 05 south-west), so that a landline matches the address.
pub(crate) struct City {
    pub(crate) name: &'static str,
    pub(crate) postal_code: &'static str,
    pub(crate) phone_zone: u8,
}

const fn city(name: &'static str, postal_code: &'static str, phone_zone: u8) -> City {
    City {
        name,
        postal_code,
        phone_zone,
    }
}

pub(crate) const CITIES: &[City] = &[
    city("Paris", "75011", 1),
    city("Lyon", "69003", 4),
    city("Marseille", "13006", 4),
    city("Toulouse", "31000", 5),
    city("Nice", "06000", 4),
    city("Nantes", "44000", 2),
    city("Montpellier", "34000", 4),
    city("Strasbourg", "67000", 3),
    city("Bordeaux", "33000", 5),
    city("Lille", "59000", 3),
    city("Rennes", "35000", 2),
    city("Reims", "51100", 3),
    city("Toulon", "83000", 4),
    city("Saint-Étienne", "42000", 4),
    city("Le Havre", "76600", 2),
    city("Grenoble", "38000", 4),
    city("Dijon", "21000", 3),
    city("Angers", "49000", 2),
    city("Nîmes", "30000", 4),
    city("Villeurbanne", "69100", 4),
    city("Clermont-Ferrand", "63000", 4),
    city("Le Mans", "72000", 2),
    city("Aix-en-Provence", "13100", 4),
    city("Brest", "29200", 2),
    city("Tours", "37000", 2),
    city("Amiens", "80000", 3),
    city("Limoges", "87000", 5),
    city("Annecy", "74000", 4),
    city("Perpignan", "66000", 4),
    city("Metz", "57000", 3),
    city("Besançon", "25000", 3),
    city("Orléans", "45000", 2),
    city("Rouen", "76000", 2),
    city("Mulhouse", "68100", 3),
    city("Caen", "14000", 2),
    city("Nancy", "54000", 3),
    city("Avignon", "84000", 4),
    city("Poitiers", "86000", 5),
    city("La Rochelle", "17000", 5),
    city("Pau", "64000", 5),
];

/// French legal forms with their rough share among SME customers, in percent.
pub(crate) const LEGAL_FORMS: &[(&str, u32)] = &[
    ("SARL", 35),
    ("SAS", 30),
    ("EURL", 12),
    ("EI", 12),
    ("SA", 6),
    ("SCI", 5),
];

pub(crate) const STREETS: &[&str] = &[
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "place de la Mairie",
    "rue du Commerce",
    "rue des Écoles",
    "avenue de la Gare",
    "rue Pasteur",
    "chemin des Vignes",
    "rue de la Paix",
    "impasse des Lilas",
    "rue Nationale",
    "avenue Foch",
    "quai des Bateliers",
    "rue du Moulin",
];

/// Local parts of a business's accounts-payable mailbox.
pub(crate) const MAILBOXES: &[&str] = &["compta", "comptabilite", "factures", "contact", "admin"];

/// The ASCII, lower-case, hyphenated form of a word for an e-mail address: accents dropped,
/// spaces and apostrophes turned into hyphens.
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let ascii = match c {
            'à' | 'â' | 'ä' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' => "i",
            'ô' | 'ö' => "o",
            'ù' | 'û' | 'ü' => "u",
            'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            'a'..='z' | '0'..='9' => {
                slug.push(c);
                continue;
            }
            _ => "-",
        };
        if ascii == "-" && (slug.is_empty() || slug.ends_with('-')) {
            continue;
        }
        slug.push_str(ascii);
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_lower_case_and_hyphenated() {
        assert_eq!(slug("Électricité"), "electricite");
        assert_eq!(slug("Saint-Étienne"), "saint-etienne");
        assert_eq!(slug("La Rochelle"), "la-rochelle");
        assert_eq!(slug("Gaëlle"), "gaelle");
    }

    #[test]
    fn every_word_has_a_distinct_non_empty_slug() {
        for list in [ACTIVITIES, SURNAMES, FIRST_NAMES] {
            let mut slugs: Vec<String> = list.iter().map(|word| slug(word)).collect();
            assert!(
                slugs
                    .iter()
                    .all(|s| !s.is_empty() && s.is_ascii() && !s.contains('-'))
            );
            slugs.sort();
            slugs.dedup();
            assert_eq!(slugs.len(), list.len());
        }
    }
}
