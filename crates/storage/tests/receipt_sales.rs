//! Receipt sales on SQLite and PostgreSQL: a sale is found by shop and day from
//! another claim only, and a retried screening replaces its record.

mod common;

use proofdesk_engine::date::Date;
use proofdesk_engine::receipt::sale::{self, SaleKey};
use proofdesk_storage::receipt_sales::ReceiptSales;
use proofdesk_storage::Database;

fn key(number: &str, total: i64) -> SaleKey {
    SaleKey {
        merchant: "BAKKERIJDEKRAKELING".into(),
        date: Date::new(2024, 3, 5).unwrap(),
        time: Some("14:02".into()),
        total,
        number: Some(number.into()),
    }
}

async fn scenario(url: &str) {
    let db = Database::connect(url).await.expect("open database");
    let sales = ReceiptSales::new(db.clone());
    sales.record("clm_a", "aa", &key("4711", 125), 1_000).await.unwrap();
    sales.record("clm_a", "aa", &key("4711", 125), 2_000).await.unwrap();
    assert_eq!(sales.count().await.unwrap(), 1, "a retried screening replaces its record");
    sales.record("clm_b", "bb", &key("4712", 125), 3_000).await.unwrap();
    let mut other_day = key("4711", 125);
    other_day.date = Date::new(2024, 3, 6).unwrap();
    sales.record("clm_c", "cc", &other_day, 4_000).await.unwrap();

    let earlier = sales.same_shop_and_day(&key("4711", 7125), "clm_new").await.unwrap();
    assert_eq!(earlier.iter().map(|e| e.source.as_str()).collect::<Vec<_>>(), ["clm_a", "clm_b"]);
    assert_eq!(earlier[0].seen_at, "1970-01-01T00:00:02Z");
    let found: Vec<String> = sale::signals(&key("4711", 7125), &earlier).into_iter().map(|s| s.id).collect();
    assert_eq!(found, ["receipt.number-other-total"]);
    assert!(sales.same_shop_and_day(&key("4711", 125), "clm_a").await.unwrap().iter().all(|e| e.source != "clm_a"), "not its own claim");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipt_sales_on_sqlite() {
    common::on_sqlite(|url| async move { scenario(&url).await }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipt_sales_on_postgres() {
    common::on_postgres(|url| async move { scenario(&url).await }).await;
}
