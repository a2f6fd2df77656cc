//! Per-customer evidence keys, for organisations that choose them: each customer's
//! evidence is sealed with a key of its own, kept in the database wrapped (AES-256-GCM)
//! under the evidence keyring. Destroying that key makes every copy of the customer's
//! evidence unreadable, including copies in backups and bucket versions.

use super::keyring::{self, Keyring};
use super::{hex_bytes, random_hex, to_hex, EvidenceError, CUSTOMER_KEY_PREFIX};
use crate::time::now_ms;
use sqlx::Row;

/// One customer's key, unwrapped.
#[derive(Clone)]
pub struct CustomerKey {
    /// Its id (`c-` and 16 hex digits), named in the header of every blob it seals.
    pub id: String,
    pub(crate) key: [u8; 32],
}

impl std::fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomerKey({})", self.id)
    }
}

/// The customer keys of one database, wrapped under a keyring.
#[derive(Clone)]
pub struct CustomerKeys {
    db: crate::Database,
    ring: Keyring,
}

fn db_error(what: &str) -> impl Fn(sqlx::Error) -> EvidenceError + '_ {
    move |e| EvidenceError::Object(format!("customer keys: could not {what}: {e}"))
}

fn aad(id: &str) -> Vec<u8> {
    format!("proofdesk customer key {id}").into_bytes()
}

impl CustomerKeys {
    /// Customer keys in `db`, wrapped under `ring`'s current key.
    pub fn new(db: crate::Database, ring: Keyring) -> CustomerKeys {
        CustomerKeys { db, ring }
    }

    /// The customer's key, made on first use. The customer is known to the table only
    /// by a keyed pseudonym of their id.
    pub async fn for_customer(&self, customer_id: &str) -> Result<CustomerKey, EvidenceError> {
        let customer_ref = self.ring.pseudonym("customer-key", customer_id);
        for _ in 0..2 {
            let row = sqlx::query("SELECT id FROM customer_keys WHERE customer_ref = $1")
                .bind(&customer_ref)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(db_error("read a customer key"))?;
            if let Some(r) = row {
                let id: String = r.try_get(0).map_err(db_error("read a customer key"))?;
                if let Some(k) = self.get(&id).await? {
                    return Ok(k);
                }
            }
            let id = format!("{CUSTOMER_KEY_PREFIX}{}", random_hex(8));
            let key = keyring::new_key();
            let wrapped_with = self.ring.current_id();
            let wrapping = self.ring.get(&wrapped_with).ok_or_else(|| EvidenceError::Key("no current key".into()))?;
            let wrapped = keyring::seal(&wrapping, &aad(&id), &key).ok_or_else(|| EvidenceError::Key("could not wrap a customer key".into()))?;
            // Another request may make this customer's key at the same moment: the
            // unique pseudonym lets one win, and the loop reads the winner's.
            sqlx::query(
                "INSERT INTO customer_keys (id, customer_ref, wrapped, wrapped_with, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (customer_ref) DO NOTHING",
            )
            .bind(&id)
            .bind(&customer_ref)
            .bind(to_hex(&wrapped))
            .bind(&wrapped_with)
            .bind(now_ms())
            .execute(&self.db.pool)
            .await
            .map_err(db_error("record a customer key"))?;
        }
        Err(EvidenceError::Key("a customer key could not be made".into()))
    }

    /// The key with this id; `None` when it was destroyed (or never existed).
    pub async fn get(&self, id: &str) -> Result<Option<CustomerKey>, EvidenceError> {
        let row = sqlx::query("SELECT wrapped, wrapped_with FROM customer_keys WHERE id = $1 AND wrapped IS NOT NULL")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_error("read a customer key"))?;
        let Some(r) = row else { return Ok(None) };
        let e = db_error("read a customer key");
        let wrapped: String = r.try_get(0).map_err(&e)?;
        let with: String = r.try_get(1).map_err(&e)?;
        let wrapping = self
            .ring
            .get(&with)
            .ok_or_else(|| EvidenceError::Key(format!("customer key {id} is wrapped with key {with}, which is not in this server's key file")))?;
        let bytes = hex_bytes(&wrapped).ok_or_else(|| EvidenceError::Key(format!("customer key {id} is damaged")))?;
        let plain = keyring::open(&wrapping, &aad(id), &bytes).ok_or_else(|| EvidenceError::Key(format!("customer key {id} does not unwrap")))?;
        let key: [u8; 32] = plain.try_into().map_err(|_| EvidenceError::Key(format!("customer key {id} has the wrong length")))?;
        Ok(Some(CustomerKey { id: id.to_owned(), key }))
    }

    /// Destroys the customer's key: the wrapped key and the pseudonym are cleared, the
    /// id and the time stay as a tombstone. Returns the id, if there was a live key.
    pub async fn destroy(&self, customer_id: &str) -> Result<Option<String>, EvidenceError> {
        let customer_ref = self.ring.pseudonym("customer-key", customer_id);
        let row = sqlx::query("SELECT id FROM customer_keys WHERE customer_ref = $1")
            .bind(&customer_ref)
            .fetch_optional(&self.db.pool)
            .await
            .map_err(db_error("read a customer key"))?;
        let Some(r) = row else { return Ok(None) };
        let id: String = r.try_get(0).map_err(db_error("read a customer key"))?;
        sqlx::query("UPDATE customer_keys SET wrapped = NULL, wrapped_with = NULL, customer_ref = NULL, destroyed_at = $2 WHERE id = $1")
            .bind(&id)
            .bind(now_ms())
            .execute(&self.db.pool)
            .await
            .map_err(db_error("destroy a customer key"))?;
        Ok(Some(id))
    }

    /// Wraps every live customer key again under the keyring's current key (after a
    /// rotation: the blobs need not change); returns how many were rewrapped.
    pub async fn rewrap(&self) -> Result<usize, EvidenceError> {
        let current = self.ring.current_id();
        let rows = sqlx::query("SELECT id FROM customer_keys WHERE wrapped IS NOT NULL AND wrapped_with <> $1")
            .bind(&current)
            .fetch_all(&self.db.pool)
            .await
            .map_err(db_error("list customer keys"))?;
        let wrapping = self.ring.get(&current).ok_or_else(|| EvidenceError::Key("no current key".into()))?;
        let mut n = 0;
        for r in &rows {
            let id: String = r.try_get(0).map_err(db_error("list customer keys"))?;
            let Some(k) = self.get(&id).await? else { continue };
            let wrapped = keyring::seal(&wrapping, &aad(&id), &k.key).ok_or_else(|| EvidenceError::Key("could not wrap a customer key".into()))?;
            sqlx::query("UPDATE customer_keys SET wrapped = $2, wrapped_with = $3 WHERE id = $1 AND wrapped IS NOT NULL")
                .bind(&id)
                .bind(to_hex(&wrapped))
                .bind(&current)
                .execute(&self.db.pool)
                .await
                .map_err(db_error("rewrap a customer key"))?;
            n += 1;
        }
        Ok(n)
    }
}
