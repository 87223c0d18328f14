//! The aged balance from imported invoices.

use jiff::civil::date;
use test_support::on_every_backend;

use crate::fixtures::{creditor, import_csv};

#[tokio::test]
async fn the_aged_balance_sorts_outstanding_amounts_by_days_past_due() {
    on_every_backend!(|database| {
        let store = &database.store;
        let tenant = creditor(store, "Atelier").await;
        let csv = "customer_ref,customer_name,invoice_number,issue_date,due_date,amount,outstanding,currency\n\
                   A,Alpha,1,2026-01-01,2026-11-20,100.00,100.00,EUR\n\
                   A,Alpha,2,2026-01-01,2026-10-21,200.00,200.00,EUR\n\
                   B,Beta,3,2026-01-01,2026-10-20,400.00,400.00,EUR\n\
                   B,Beta,4,2026-01-01,2026-08-22,800.00,800.00,EUR\n\
                   B,Beta,5,2026-01-01,2026-08-21,1600.00,1600.00,EUR\n\
                   C,Gamma,6,2026-01-01,2026-01-01,3200.00,0.00,EUR\n\
                   D,Delta,7,2026-01-01,2026-01-01,5.00,5.00,USD\n";
        import_csv(store, &tenant, "aging.csv", csv.as_bytes())
            .await
            .unwrap();
        let report = app::queries::aging_report(store, &tenant, date(2026, 11, 20), None)
            .await
            .unwrap();
        // The dashboard reads its totals from sums by due date: the same figures.
        let board = app::overview::dashboard(store, &tenant, date(2026, 11, 20))
            .await
            .unwrap();
        assert_eq!(board.aging.buckets, report.buckets);
        assert_eq!(board.aging.total, report.total);
        assert_eq!(board.aging.other_currencies, report.other_currencies);
        let buckets: Vec<(String, String)> = report
            .buckets
            .iter()
            .map(|bucket| (bucket.label.clone(), bucket.amount.to_decimal_string()))
            .collect();
        assert_eq!(
            buckets,
            [
                ("not_due".to_owned(), "100.00".to_owned()),
                ("1-30".to_owned(), "200.00".to_owned()),
                ("31-60".to_owned(), "400.00".to_owned()),
                ("61-90".to_owned(), "800.00".to_owned()),
                ("91+".to_owned(), "1600.00".to_owned()),
            ]
        );
        assert_eq!(report.total.to_decimal_string(), "3100.00");
        let customers: Vec<(&str, String)> = report
            .customers
            .iter()
            .map(|row| (row.customer.as_str(), row.total.to_decimal_string()))
            .collect();
        assert_eq!(
            customers,
            [("B", "2800.00".to_owned()), ("A", "300.00".to_owned())]
        );
        assert_eq!(
            report
                .other_currencies
                .values()
                .map(|money| money.to_decimal_string())
                .collect::<Vec<_>>(),
            ["5.00"]
        );
    });
}
