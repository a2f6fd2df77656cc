//! The receipts' sales seen so far, as text (shop, day, time, total, receipt number):
//! the reuse index for receipts, which finds the same receipt in another claim
//! however it was photographed. Erased with the claim (data-subject erasure,
//! retention), like the picture sightings.

use crate::Error;
use proofdesk_engine::receipt::sale::{EarlierSale, SaleKey};
use sqlx::Row;

/// The receipt sales of one database.
#[derive(Clone)]
pub struct ReceiptSales {
    db: crate::Database,
}

impl ReceiptSales {
    /// Receipt sales in `db`.
    pub fn new(db: crate::Database) -> ReceiptSales {
        ReceiptSales { db }
    }

    /// Records a receipt's sale, seen with claim `source` as file `sha256` (hex),
    /// replacing an earlier record of the same file and claim.
    pub async fn record(&self, source: &str, sha256: &str, key: &SaleKey, seen_at_ms: i64) -> Result<(), Error> {
        let mut tx = self.db.begin_write("start recording a receipt").await?;
        // A screening run again (a retried job) replaces its earlier record.
        sqlx::query("DELETE FROM receipt_sales WHERE source = $1 AND sha256 = $2")
            .bind(source)
            .bind(sha256)
            .execute(&mut *tx)
            .await
            .map_err(Error::query("replace a receipt"))?;
        sqlx::query(
            "INSERT INTO receipt_sales (source, sha256, merchant, sale_date, sale_time, total_cents, number, seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(source)
        .bind(sha256)
        .bind(&key.merchant)
        .bind(key.date.to_string())
        .bind(key.time.clone())
        .bind(key.total)
        .bind(key.number.clone())
        .bind(seen_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(Error::query("record a receipt"))?;
        tx.commit().await.map_err(Error::query("commit a receipt"))?;
        Ok(())
    }

    /// The sales of the same shop and day seen with other claims than `except_source`.
    pub async fn same_shop_and_day(&self, key: &SaleKey, except_source: &str) -> Result<Vec<EarlierSale>, Error> {
        let rows = sqlx::query(
            "SELECT source, sale_time, total_cents, number, seen_at FROM receipt_sales \
             WHERE merchant = $1 AND sale_date = $2 AND source <> $3 ORDER BY seen_at, id",
        )
        .bind(&key.merchant)
        .bind(key.date.to_string())
        .bind(except_source)
        .fetch_all(&self.db.pool)
        .await
        .map_err(Error::query("read receipts of a shop and day"))?;
        let e = Error::query("read a receipt");
        rows.iter()
            .map(|r| {
                let seen_at: i64 = r.try_get(4).map_err(&e)?;
                Ok(EarlierSale {
                    key: SaleKey {
                        merchant: key.merchant.clone(),
                        date: key.date,
                        time: r.try_get(1).map_err(&e)?,
                        total: r.try_get(2).map_err(&e)?,
                        number: r.try_get(3).map_err(&e)?,
                    },
                    source: r.try_get(0).map_err(&e)?,
                    seen_at: crate::time::format_rfc3339(seen_at),
                })
            })
            .collect()
    }

    /// How many sales are recorded.
    pub async fn count(&self) -> Result<i64, Error> {
        sqlx::query("SELECT COUNT(*) FROM receipt_sales")
            .fetch_one(&self.db.pool)
            .await
            .and_then(|r| r.try_get(0))
            .map_err(Error::query("count receipts"))
    }
}
