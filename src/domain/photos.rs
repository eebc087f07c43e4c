//! Photos of a visit. An uploaded JPEG or PNG is decoded (within size limits, so no file
//! however crafted can exhaust memory), turned upright by its EXIF orientation, and
//! re-encoded as a JPEG of at most `FULL_EDGE` pixels plus a thumbnail of `THUMB_EDGE`:
//! the stored files carry no EXIF data, so no GPS position of the camera is kept. The
//! original upload is never stored.
use std::collections::HashMap;
use std::io::Cursor;

use chrono::Utc;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sea_orm::{QueryOrder, QuerySelect};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::audit;
use crate::domain::files::{FileStore, StoredFile};
use crate::domain::visits;
use crate::entities::visit_photos;
use crate::error::{AppError, AppResult, Msg};

/// The folder of the upload directory photos are kept in.
pub const AREA: &str = "photos";
/// The longest edge of a stored photo and of its thumbnail, in pixels.
pub const FULL_EDGE: u32 = 1600;
pub const THUMB_EDGE: u32 = 320;
/// The most photos one visit keeps.
pub const MAX_PER_VISIT: usize = 12;
/// The largest picture decoded, in pixels per edge, and the memory its decoding may take.
const MAX_DECODED_EDGE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// A photo ready to store: the re-encoded picture and its thumbnail.
#[derive(Debug)]
pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn encode(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, Msg> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img.to_rgb8())
        .map_err(|_| Msg::new("photo-err-unreadable"))?;
    Ok(out)
}

/// Decodes an uploaded photo (JPEG or PNG, recognised by its content) and re-encodes it
/// without metadata. Anything else, or a picture too large to decode, is refused.
pub fn process(bytes: &[u8]) -> Result<Processed, Msg> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Msg::new("photo-err-type"))?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png)) {
        return Err(Msg::new("photo-err-type"));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODED_EDGE);
    limits.max_image_height = Some(MAX_DECODED_EDGE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| Msg::new("photo-err-unreadable"))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => Msg::new("photo-err-too-big"),
        _ => Msg::new("photo-err-unreadable"),
    })?;
    img.apply_orientation(orientation);
    let full = if img.width().max(img.height()) > FULL_EDGE {
        img.resize(FULL_EDGE, FULL_EDGE, FilterType::Triangle)
    } else {
        img
    };
    let thumb = full.thumbnail(THUMB_EDGE, THUMB_EDGE);
    Ok(Processed {
        full: encode(&full, 82)?,
        thumb: encode(&thumb, 75)?,
        width: full.width(),
        height: full.height(),
    })
}

/// One uploaded file as received: its bytes, or what was wrong with it already (cut
/// short by the size limit).
pub type Upload = Result<Vec<u8>, Msg>;

/// Adds photos to a visit (an admin of either school): each is processed, both files are
/// written, then the rows are inserted in one transaction; when anything fails, every
/// file written is removed again and no row stays. A bad file is refused on `photos`
/// with its position, and nothing of the batch is kept.
pub async fn add(
    db: &impl Conn,
    store: &FileStore,
    actor: &Actor,
    visit_id: i64,
    uploads: Vec<Upload>,
) -> AppResult<Vec<visit_photos::Model>> {
    let visit = visits::get(db, actor, visit_id).await?;
    if !visits::may_change(actor, &visit) {
        return Err(AppError::Forbidden);
    }
    if uploads.is_empty() {
        return Err(AppError::invalid("photos", Msg::new("photo-err-none")));
    }
    let have = counts(db, &[visit_id])
        .await?
        .get(&visit_id)
        .copied()
        .unwrap_or(0);
    if have + uploads.len() > MAX_PER_VISIT {
        return Err(AppError::invalid(
            "photos",
            Msg::new("photo-err-too-many").arg("max", MAX_PER_VISIT),
        ));
    }
    let mut files: Vec<(StoredFile, StoredFile, Processed, usize)> = Vec::new();
    for (i, upload) in uploads.into_iter().enumerate() {
        let refuse = |m: Msg| AppError::invalid("photos", m.arg("n", i + 1));
        let bytes = upload.map_err(refuse)?;
        if bytes.len() as u64 > store.max_bytes {
            return Err(refuse(
                Msg::new("photo-err-too-large").arg("max", store.max_bytes / (1024 * 1024)),
            ));
        }
        let size = bytes.len();
        // Decoding is CPU work: off the async threads; a panic in a decoder is a refusal,
        // not a crash.
        let processed = tokio::task::spawn_blocking(move || process(&bytes))
            .await
            .unwrap_or_else(|_| Err(Msg::new("photo-err-unreadable")))
            .map_err(refuse)?;
        let full = store.put(AREA, "jpg", &processed.full).await?;
        let thumb = store.put(AREA, "jpg", &processed.thumb).await?;
        files.push((full, thumb, processed, size));
    }
    let txn = db::begin_write(db).await?;
    visits::for_change(&txn, actor, visit_id).await?;
    let mut rows = Vec::new();
    for (full, thumb, p, _) in &files {
        let row = visit_photos::ActiveModel {
            visit_id: Set(visit_id),
            file_name: Set(full.name().to_string()),
            thumb_name: Set(thumb.name().to_string()),
            width: Set(p.width as i32),
            height: Set(p.height as i32),
            size_bytes: Set(p.full.len() as i64),
            uploaded_by: Set(Some(actor.user_id)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record::<(), _>(
            &txn,
            Some(actor),
            "create",
            "visit_photo",
            Some(row.id),
            None,
            Some(&row),
        )
        .await?;
        rows.push(row);
    }
    txn.commit().await?;
    for (full, thumb, _, _) in files {
        full.keep();
        thumb.keep();
    }
    Ok(rows)
}

/// A photo of a visit the actor may read (404 otherwise).
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    visit_id: i64,
    photo_id: i64,
) -> AppResult<visit_photos::Model> {
    visits::get(conn, actor, visit_id).await?;
    visit_photos::Entity::find_by_id(photo_id)
        .filter(visit_photos::Column::VisitId.eq(visit_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The photos of a visit, in the order they were added.
pub async fn of_visit(
    conn: &impl ConnectionTrait,
    visit_id: i64,
) -> AppResult<Vec<visit_photos::Model>> {
    Ok(visit_photos::Entity::find()
        .filter(visit_photos::Column::VisitId.eq(visit_id))
        .order_by_asc(visit_photos::Column::Id)
        .all(conn)
        .await?)
}

/// The photos of each of these visits (one query per 500 visits).
pub async fn of_visits(
    conn: &impl ConnectionTrait,
    visit_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<visit_photos::Model>>> {
    let mut out: HashMap<i64, Vec<visit_photos::Model>> = HashMap::new();
    for chunk in visit_ids.chunks(500) {
        for p in visit_photos::Entity::find()
            .filter(visit_photos::Column::VisitId.is_in(chunk.to_vec()))
            .order_by_asc(visit_photos::Column::Id)
            .all(conn)
            .await?
        {
            out.entry(p.visit_id).or_default().push(p);
        }
    }
    Ok(out)
}

/// How many photos each visit has (one query).
pub async fn counts(
    conn: &impl ConnectionTrait,
    visit_ids: &[i64],
) -> AppResult<HashMap<i64, usize>> {
    if visit_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = visit_photos::Entity::find()
        .select_only()
        .column(visit_photos::Column::VisitId)
        .column_as(visit_photos::Column::Id.count(), "n")
        .filter(visit_photos::Column::VisitId.is_in(visit_ids.to_vec()))
        .group_by(visit_photos::Column::VisitId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(v, n)| (v, n as usize)).collect())
}

/// Removes a photo (an admin of either school of its visit); its files go once the row
/// is gone.
pub async fn delete(
    db: &impl Conn,
    store: &FileStore,
    actor: &Actor,
    visit_id: i64,
    photo_id: i64,
) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    visits::for_change(&txn, actor, visit_id).await?;
    let photo = get(&txn, actor, visit_id, photo_id).await?;
    visit_photos::Entity::delete_by_id(photo_id)
        .exec(&txn)
        .await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        "visit_photo",
        Some(photo_id),
        Some(&photo),
        None,
    )
    .await?;
    txn.commit().await?;
    remove_files(store, &photo).await;
    Ok(())
}

/// Removes a photo's two files (after its row is gone).
pub async fn remove_files(store: &FileStore, photo: &visit_photos::Model) {
    store.remove(AREA, &photo.file_name).await;
    store.remove(AREA, &photo.thumb_name).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img.to_rgb8())
            .expect("encode");
        out
    }

    #[test]
    fn a_large_photo_is_scaled_and_thumbnailed() {
        let p = process(&jpeg(2400, 1200)).expect("processed");
        assert_eq!((p.width, p.height), (1600, 800));
        let thumb = image::load_from_memory(&p.thumb).expect("thumb decodes");
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
    }

    #[test]
    fn other_content_is_refused() {
        assert_eq!(
            process(b"MZ\x90\x00 this is not a picture")
                .unwrap_err()
                .key,
            "photo-err-type"
        );
        let mut cut = jpeg(64, 64);
        cut.truncate(40);
        assert!(process(&cut).is_err(), "a cut-short JPEG is refused");
    }
}
