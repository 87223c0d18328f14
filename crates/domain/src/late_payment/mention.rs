//! The late-payment mention that invoices and terms of sale must carry (C. com. L441-9 and
//! L441-10 II for French businesses: penalty rate, fixed indemnity, early-payment discount), and
//! its equivalent under the other rule sets, in French and English.
//!
//! The text states the rule, never a figure that changes each semester, so an invoice printed
//! today stays right when the ECB moves.

use crate::customer::Language;

use super::rules::{
    ContractRate, Jurisdiction, LatePaymentSettings, LatePaymentTerms, StatutoryRateFloor,
};

/// What the creditor grants for paying before the due date: French B2B invoices must say it,
/// even when it is nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlyPaymentDiscount {
    NotOffered,
    /// `hundredths_of_percent` off (200 is 2 %) when paid within `within_days` of the invoice.
    Offered {
        hundredths_of_percent: u32,
        within_days: u16,
    },
}

/// The mention for `terms`, in `language`. The early-payment discount sentence is part of the
/// French B2B mention only, where the law asks for it.
pub fn late_payment_mention(
    terms: &LatePaymentTerms,
    settings: &LatePaymentSettings,
    discount: EarlyPaymentDiscount,
    language: Language,
) -> String {
    match language {
        Language::French => mention_fr(terms, settings, discount),
        Language::English => mention_en(terms, settings, discount),
    }
}

fn mention_fr(
    terms: &LatePaymentTerms,
    settings: &LatePaymentSettings,
    discount: EarlyPaymentDiscount,
) -> String {
    match terms.jurisdiction {
        Jurisdiction::FrB2b => {
            let rate = match terms.contract_rate {
                Some(ContractRate::Fixed(rate)) => {
                    format!("au taux annuel de {} %", rate.to_french_string())
                }
                Some(ContractRate::TimesLegalRate(times)) => format!(
                    "à un taux égal à {} le taux de l'intérêt légal",
                    times_fr(times)
                ),
                None => {
                    let floor = match settings.statutory_rate_floor {
                        StatutoryRateFloor::NotApplied => "",
                        StatutoryRateFloor::ThreeTimesLegalRate => {
                            " ou, s'il est plus élevé, à trois fois le taux de l'intérêt légal"
                        }
                    };
                    format!(
                        "au taux appliqué par la Banque centrale européenne à son opération de refinancement la plus récente, majoré de 10 points de pourcentage (taux en vigueur au 1er janvier pour le premier semestre, au 1er juillet pour le second){floor}"
                    )
                }
            };
            let discount = match discount {
                EarlyPaymentDiscount::NotOffered => {
                    "Pas d'escompte pour paiement anticipé.".to_owned()
                }
                EarlyPaymentDiscount::Offered {
                    hundredths_of_percent,
                    within_days,
                } => format!(
                    "Escompte pour paiement anticipé : {} % en cas de paiement dans les {within_days} jours suivant la date de la facture.",
                    percent_fr(hundredths_of_percent)
                ),
            };
            format!(
                "En cas de retard de paiement, des pénalités de retard sont exigibles dès le jour suivant la date d'échéance figurant sur la facture, sans qu'un rappel soit nécessaire, {rate}. \
                 Tout professionnel en situation de retard de paiement est de plein droit débiteur d'une indemnité forfaitaire pour frais de recouvrement de 40 euros ; une indemnisation complémentaire peut être demandée, sur justification, lorsque les frais de recouvrement exposés sont supérieurs (articles L441-10 et D441-5 du Code de commerce). \
                 {discount}"
            )
        }
        Jurisdiction::FrB2c => "En cas de retard de paiement, les sommes dues portent intérêt au taux de l'intérêt légal à compter de la mise en demeure (article 1231-6 du Code civil). \
             Aucuns frais de recouvrement ne sont mis à la charge du client (article L111-8 du Code des procédures civiles d'exécution)."
            .to_owned(),
        Jurisdiction::DeB2b => "En cas de retard de paiement, des intérêts de retard sont dus au taux de base de la Deutsche Bundesbank (Basiszinssatz) majoré de 9 points de pourcentage (§ 288, al. 2, BGB), ainsi qu'une indemnité forfaitaire de 40 euros (§ 288, al. 5, BGB)."
            .to_owned(),
        Jurisdiction::DeB2c => "En cas de retard de paiement, des intérêts de retard sont dus au taux de base de la Deutsche Bundesbank (Basiszinssatz) majoré de 5 points de pourcentage (§ 288, al. 1, BGB)."
            .to_owned(),
        Jurisdiction::Eu => "En cas de retard de paiement, des intérêts sont dus dès le jour suivant la date d'échéance au taux de référence (taux de la Banque centrale européenne en vigueur au 1er janvier ou au 1er juillet) majoré de 8 points de pourcentage, ainsi qu'une indemnité forfaitaire de 40 euros pour frais de recouvrement (directive 2011/7/UE)."
            .to_owned(),
        Jurisdiction::Contract(rate) => format!(
            "En cas de retard de paiement, des intérêts sont dus au taux annuel de {} % à compter du jour suivant la date d'échéance.",
            rate.to_french_string()
        ),
    }
}

fn mention_en(
    terms: &LatePaymentTerms,
    settings: &LatePaymentSettings,
    discount: EarlyPaymentDiscount,
) -> String {
    match terms.jurisdiction {
        Jurisdiction::FrB2b => {
            let rate = match terms.contract_rate {
                Some(ContractRate::Fixed(rate)) => format!("at the annual rate of {rate}%"),
                Some(ContractRate::TimesLegalRate(times)) => format!(
                    "at {} the French legal interest rate",
                    times_en(times)
                ),
                None => {
                    let floor = match settings.statutory_rate_floor {
                        StatutoryRateFloor::NotApplied => "",
                        StatutoryRateFloor::ThreeTimesLegalRate => {
                            " or, if higher, three times the French legal interest rate"
                        }
                    };
                    format!(
                        "at the rate the European Central Bank applies to its most recent refinancing operation plus 10 percentage points (the rate in force on 1 January for the first half-year and on 1 July for the second){floor}"
                    )
                }
            };
            let discount = match discount {
                EarlyPaymentDiscount::NotOffered => "No discount for early payment.".to_owned(),
                EarlyPaymentDiscount::Offered {
                    hundredths_of_percent,
                    within_days,
                } => format!(
                    "Early-payment discount: {}% for payment within {within_days} days of the invoice date.",
                    percent_en(hundredths_of_percent)
                ),
            };
            format!(
                "Late payment: penalties are due from the day after the due date shown on the invoice, without any reminder being needed, {rate}. \
                 Any business paying late owes by law a fixed indemnity of EUR 40 for recovery costs; further compensation may be claimed, on proof, where the recovery costs incurred are higher (French Commercial Code, articles L441-10 and D441-5). \
                 {discount}"
            )
        }
        Jurisdiction::FrB2c => "Late payment: sums due bear interest at the French legal interest rate from the formal notice (Civil Code, article 1231-6). \
             No recovery costs are charged to the customer (Code of Civil Enforcement Procedures, article L111-8)."
            .to_owned(),
        Jurisdiction::DeB2b => "Late payment: default interest is due at the Deutsche Bundesbank base rate (Basiszinssatz) plus 9 percentage points (§ 288(2) BGB), together with a fixed sum of EUR 40 (§ 288(5) BGB)."
            .to_owned(),
        Jurisdiction::DeB2c => "Late payment: default interest is due at the Deutsche Bundesbank base rate (Basiszinssatz) plus 5 percentage points (§ 288(1) BGB)."
            .to_owned(),
        Jurisdiction::Eu => "Late payment: interest is due from the day after the due date at the reference rate (the European Central Bank rate in force on 1 January or 1 July) plus 8 percentage points, together with a fixed sum of EUR 40 for recovery costs (Directive 2011/7/EU)."
            .to_owned(),
        Jurisdiction::Contract(rate) => format!(
            "Late payment: interest is due at the annual rate of {rate}% from the day after the due date."
        ),
    }
}

fn times_fr(times: u32) -> String {
    match times {
        2 => "deux fois".to_owned(),
        3 => "trois fois".to_owned(),
        4 => "quatre fois".to_owned(),
        5 => "cinq fois".to_owned(),
        _ => format!("{times} fois"),
    }
}

fn times_en(times: u32) -> String {
    match times {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        3 => "three times".to_owned(),
        4 => "four times".to_owned(),
        5 => "five times".to_owned(),
        _ => format!("{times} times"),
    }
}

/// `hundredths` of a percent with only the decimals it needs: 200 → "2", 150 → "1.5".
fn percent_en(hundredths: u32) -> String {
    let whole = hundredths / 100;
    let fraction = hundredths % 100;
    if fraction == 0 {
        whole.to_string()
    } else if fraction.is_multiple_of(10) {
        format!("{whole}.{}", fraction / 10)
    } else {
        format!("{whole}.{fraction:02}")
    }
}

fn percent_fr(hundredths: u32) -> String {
    percent_en(hundredths).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::super::rate::Rate;
    use super::*;

    fn mention(terms: LatePaymentTerms, language: Language) -> String {
        late_payment_mention(
            &terms,
            &LatePaymentSettings::french_defaults(),
            EarlyPaymentDiscount::NotOffered,
            language,
        )
    }

    #[test]
    fn the_french_b2b_mention_names_the_rate_the_indemnity_and_the_discount() {
        let text = mention(
            LatePaymentTerms::statutory(Jurisdiction::FrB2b),
            Language::French,
        );
        assert!(
            text.contains("majoré de 10 points de pourcentage"),
            "{text}"
        );
        assert!(text.contains("sans qu'un rappel soit nécessaire"), "{text}");
        assert!(text.contains("40 euros"), "{text}");
        assert!(text.contains("D441-5"), "{text}");
        assert!(text.contains("Pas d'escompte"), "{text}");
        let english = mention(
            LatePaymentTerms::statutory(Jurisdiction::FrB2b),
            Language::English,
        );
        assert!(english.contains("plus 10 percentage points"), "{english}");
        assert!(english.contains("EUR 40"), "{english}");
    }

    #[test]
    fn a_contract_rate_is_written_as_the_contract_says() {
        let fixed = LatePaymentTerms::statutory(Jurisdiction::FrB2b)
            .with_contract_rate(ContractRate::Fixed(Rate::from_basis_points(1550)));
        assert!(mention(fixed, Language::French).contains("au taux annuel de 15,50 %"));
        assert!(mention(fixed, Language::English).contains("at the annual rate of 15.50%"));
        let times = LatePaymentTerms::statutory(Jurisdiction::FrB2b)
            .with_contract_rate(ContractRate::TimesLegalRate(3));
        assert!(
            mention(times, Language::French)
                .contains("égal à trois fois le taux de l'intérêt légal")
        );
    }

    #[test]
    fn an_early_payment_discount_is_stated() {
        let text = late_payment_mention(
            &LatePaymentTerms::statutory(Jurisdiction::FrB2b),
            &LatePaymentSettings::french_defaults(),
            EarlyPaymentDiscount::Offered {
                hundredths_of_percent: 150,
                within_days: 10,
            },
            Language::French,
        );
        assert!(
            text.contains("1,5 % en cas de paiement dans les 10 jours"),
            "{text}"
        );
    }

    #[test]
    fn consumers_are_told_of_legal_interest_and_no_fixed_indemnity() {
        let text = mention(
            LatePaymentTerms::statutory(Jurisdiction::FrB2c),
            Language::French,
        );
        assert!(text.contains("taux de l'intérêt légal"), "{text}");
        assert!(text.contains("mise en demeure"), "{text}");
        assert!(!text.contains("40 euros"), "{text}");
    }

    #[test]
    fn every_rule_set_has_a_mention_in_both_languages() {
        for jurisdiction in [
            Jurisdiction::FrB2b,
            Jurisdiction::FrB2c,
            Jurisdiction::DeB2b,
            Jurisdiction::DeB2c,
            Jurisdiction::Eu,
            Jurisdiction::Contract(Rate::percentage_points(12)),
        ] {
            let terms = LatePaymentTerms::statutory(jurisdiction);
            let french = mention(terms, Language::French);
            let english = mention(terms, Language::English);
            assert!(
                french.starts_with("En cas de retard de paiement"),
                "{french}"
            );
            assert!(english.starts_with("Late payment"), "{english}");
        }
    }
}
