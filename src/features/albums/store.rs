//! The albums' queries.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::entities::{
    album_photos::{self, PhotoStatus},
    albums, children,
    photo_consents::{self, ConsentPurpose},
    photo_tags,
};

pub use album_photos::Model as Photo;
pub use albums::Model as Album;
pub use photo_consents::Model as Consent;

/// Albums of the school and of `groups` (`None`: all), drafts only if `drafts`, newest
/// first.
pub async fn albums(
    conn: &impl ConnectionTrait,
    groups: Option<Vec<i32>>,
    drafts: bool,
) -> Result<Vec<Album>, DbErr> {
    let mut query = albums::Entity::find().filter(of_groups(groups));
    if !drafts {
        query = query.filter(albums::Column::PublishedAt.is_not_null());
    }
    query
        .order_by_desc(albums::Column::CreatedAt)
        .order_by_desc(albums::Column::Id)
        .all(conn)
        .await
}

fn of_groups(groups: Option<Vec<i32>>) -> Condition {
    match groups {
        None => Condition::all(),
        Some(groups) => Condition::any()
            .add(albums::Column::GroupId.is_null())
            .add(albums::Column::GroupId.is_in(groups)),
    }
}

pub async fn album(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Album>, DbErr> {
    albums::Entity::find_by_id(id).one(conn).await
}

pub struct NewAlbum {
    pub group_id: Option<i32>,
    pub title: String,
    pub description: String,
    pub author_id: i32,
    pub school_year: i32,
}

pub async fn insert_album(
    conn: &impl ConnectionTrait,
    new: NewAlbum,
    now: DateTime<Utc>,
) -> Result<Album, DbErr> {
    albums::ActiveModel {
        group_id: Set(new.group_id),
        title: Set(new.title),
        description: Set(new.description),
        author_id: Set(Some(new.author_id)),
        school_year: Set(new.school_year),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn rename_album(
    conn: &impl ConnectionTrait,
    album: Album,
    title: String,
    description: String,
    now: DateTime<Utc>,
) -> Result<Album, DbErr> {
    let mut active: albums::ActiveModel = album.into();
    active.title = Set(title);
    active.description = Set(description);
    active.updated_at = Set(now);
    active.update(conn).await
}

/// Marks the album published; false if it was already (a second publish sends nothing).
pub async fn publish(
    conn: &impl ConnectionTrait,
    id: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = albums::Entity::update_many()
        .col_expr(albums::Column::PublishedAt, Expr::value(now))
        .col_expr(albums::Column::UpdatedAt, Expr::value(now))
        .filter(albums::Column::Id.eq(id))
        .filter(albums::Column::PublishedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn delete_album(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    albums::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Deletes the albums of school years up to `school_year`; returns how many.
pub async fn delete_albums_until(
    conn: &impl ConnectionTrait,
    school_year: i32,
) -> Result<u64, DbErr> {
    Ok(albums::Entity::delete_many()
        .filter(albums::Column::SchoolYear.lte(school_year))
        .exec(conn)
        .await?
        .rows_affected)
}

/// The photos of some albums, in album order.
pub async fn photos_of(
    conn: &impl ConnectionTrait,
    album_ids: Vec<i32>,
) -> Result<Vec<Photo>, DbErr> {
    let mut photos = Vec::new();
    for batch in album_ids.chunks(500) {
        photos.extend(
            album_photos::Entity::find()
                .filter(album_photos::Column::AlbumId.is_in(batch.to_vec()))
                .order_by_asc(album_photos::Column::AlbumId)
                .order_by_asc(album_photos::Column::Position)
                .order_by_asc(album_photos::Column::Id)
                .all(conn)
                .await?,
        );
    }
    Ok(photos)
}

pub async fn photo(conn: &impl ConnectionTrait, id: i32) -> Result<Option<Photo>, DbErr> {
    album_photos::Entity::find_by_id(id).one(conn).await
}

pub async fn photo_count(conn: &impl ConnectionTrait, album_id: i32) -> Result<u64, DbErr> {
    album_photos::Entity::find()
        .filter(album_photos::Column::AlbumId.eq(album_id))
        .count(conn)
        .await
}

/// (photo, child) for every tag on the photos.
pub async fn tags_of(
    conn: &impl ConnectionTrait,
    photo_ids: Vec<i32>,
) -> Result<Vec<(i32, i32)>, DbErr> {
    let mut tags = Vec::new();
    for batch in photo_ids.chunks(500) {
        tags.extend(
            photo_tags::Entity::find()
                .select_only()
                .column(photo_tags::Column::PhotoId)
                .column(photo_tags::Column::ChildId)
                .filter(photo_tags::Column::PhotoId.is_in(batch.to_vec()))
                .into_tuple::<(i32, i32)>()
                .all(conn)
                .await?,
        );
    }
    Ok(tags)
}

pub struct NewPhoto {
    pub album_id: i32,
    pub uploader_id: i32,
    pub file_name: String,
    /// None for a photo whose copies the caller makes itself (the demo's).
    pub upload_key: Option<String>,
}

/// Adds a photo at the end of its album, waiting for processing.
pub async fn insert_photo(
    conn: &impl ConnectionTrait,
    new: NewPhoto,
    now: DateTime<Utc>,
) -> Result<Photo, DbErr> {
    let last: Option<Option<i32>> = album_photos::Entity::find()
        .select_only()
        .column_as(album_photos::Column::Position.max(), "last")
        .filter(album_photos::Column::AlbumId.eq(new.album_id))
        .into_tuple()
        .one(conn)
        .await?;
    album_photos::ActiveModel {
        album_id: Set(new.album_id),
        uploader_id: Set(Some(new.uploader_id)),
        position: Set(last.flatten().map_or(0, |last| last + 1)),
        status: Set(PhotoStatus::Pending),
        failure: Set(None),
        file_name: Set(new.file_name),
        upload_key: Set(new.upload_key),
        original_key: Set(None),
        thumb_key: Set(None),
        display_key: Set(None),
        width: Set(None),
        height: Set(None),
        display_bytes: Set(0),
        thumb_bytes: Set(0),
        no_recognisable_children: Set(false),
        attempts: Set(0),
        lease_until: Set(None),
        created_at: Set(now),
        processed_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Replaces a photo's tags.
pub async fn set_tags(
    conn: &impl ConnectionTrait,
    photo_id: i32,
    child_ids: &[i32],
    no_recognisable_children: bool,
) -> Result<(), DbErr> {
    photo_tags::Entity::delete_many()
        .filter(photo_tags::Column::PhotoId.eq(photo_id))
        .exec(conn)
        .await?;
    if !child_ids.is_empty() {
        photo_tags::Entity::insert_many(child_ids.iter().map(|child| photo_tags::ActiveModel {
            photo_id: Set(photo_id),
            child_id: Set(*child),
            ..Default::default()
        }))
        .exec(conn)
        .await?;
    }
    album_photos::Entity::update_many()
        .col_expr(
            album_photos::Column::NoRecognisableChildren,
            Expr::value(no_recognisable_children),
        )
        .filter(album_photos::Column::Id.eq(photo_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete_photo(conn: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    album_photos::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Pending photos nobody works on (or whose worker's lease ran out), oldest first.
pub async fn claimable_photos(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<i32>, DbErr> {
    album_photos::Entity::find()
        .select_only()
        .column(album_photos::Column::Id)
        .filter(album_photos::Column::Status.eq(PhotoStatus::Pending))
        .filter(
            Condition::any()
                .add(album_photos::Column::LeaseUntil.is_null())
                .add(album_photos::Column::LeaseUntil.lt(now)),
        )
        .order_by_asc(album_photos::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// Takes a pending photo for processing until `until`; false if another worker was first.
pub async fn claim_photo(
    conn: &impl ConnectionTrait,
    id: i32,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = album_photos::Entity::update_many()
        .col_expr(album_photos::Column::LeaseUntil, Expr::value(until))
        .col_expr(
            album_photos::Column::Attempts,
            Expr::col(album_photos::Column::Attempts).add(1),
        )
        .filter(album_photos::Column::Id.eq(id))
        .filter(album_photos::Column::Status.eq(PhotoStatus::Pending))
        .filter(
            Condition::any()
                .add(album_photos::Column::LeaseUntil.is_null())
                .add(album_photos::Column::LeaseUntil.lt(now)),
        )
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The copies made of a processed photo.
pub struct Processed {
    pub thumb_key: String,
    pub thumb_bytes: i32,
    pub display_key: String,
    pub display_bytes: i32,
    pub width: i32,
    pub height: i32,
    /// The upload, kept as the original (staff only), or dropped.
    pub keep_original: bool,
}

pub async fn finish_photo(
    conn: &impl ConnectionTrait,
    photo: Photo,
    processed: Processed,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let original = processed
        .keep_original
        .then(|| photo.upload_key.clone())
        .flatten();
    let mut active: album_photos::ActiveModel = photo.into();
    active.status = Set(PhotoStatus::Ready);
    active.thumb_key = Set(Some(processed.thumb_key));
    active.thumb_bytes = Set(processed.thumb_bytes);
    active.display_key = Set(Some(processed.display_key));
    active.display_bytes = Set(processed.display_bytes);
    active.width = Set(Some(processed.width));
    active.height = Set(Some(processed.height));
    active.original_key = Set(original);
    active.upload_key = Set(None);
    active.lease_until = Set(None);
    active.processed_at = Set(Some(now));
    active.update(conn).await?;
    Ok(())
}

/// Processing failed for good: the upload is dropped, the reason kept.
pub async fn fail_photo(
    conn: &impl ConnectionTrait,
    id: i32,
    failure: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    album_photos::Entity::update_many()
        .col_expr(
            album_photos::Column::Status,
            Expr::value(PhotoStatus::Failed),
        )
        .col_expr(album_photos::Column::Failure, Expr::value(failure))
        .col_expr(
            album_photos::Column::UploadKey,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            album_photos::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(album_photos::Column::ProcessedAt, Expr::value(now))
        .filter(album_photos::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The albums answers for some children and one purpose.
pub async fn consents(
    conn: &impl ConnectionTrait,
    child_ids: Vec<i32>,
    purpose: ConsentPurpose,
) -> Result<Vec<Consent>, DbErr> {
    let mut answers = Vec::new();
    for batch in child_ids.chunks(500) {
        answers.extend(
            photo_consents::Entity::find()
                .filter(photo_consents::Column::ChildId.is_in(batch.to_vec()))
                .filter(photo_consents::Column::Purpose.eq(purpose))
                .all(conn)
                .await?,
        );
    }
    Ok(answers)
}

/// Every answer given for one child.
pub async fn consents_of_child(
    conn: &impl ConnectionTrait,
    child_id: i32,
) -> Result<Vec<Consent>, DbErr> {
    photo_consents::Entity::find()
        .filter(photo_consents::Column::ChildId.eq(child_id))
        .all(conn)
        .await
}

pub struct Answer {
    pub child_id: i32,
    pub purpose: ConsentPurpose,
    pub granted: bool,
    pub school_year: i32,
    pub decided_by: i32,
}

/// Records an answer, replacing the child's earlier one for the purpose.
pub async fn save_consent(
    conn: &impl ConnectionTrait,
    answer: Answer,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    photo_consents::Entity::insert(photo_consents::ActiveModel {
        child_id: Set(answer.child_id),
        purpose: Set(answer.purpose),
        granted: Set(answer.granted),
        school_year: Set(answer.school_year),
        decided_by: Set(Some(answer.decided_by)),
        decided_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            photo_consents::Column::ChildId,
            photo_consents::Column::Purpose,
        ])
        .update_columns([
            photo_consents::Column::Granted,
            photo_consents::Column::SchoolYear,
            photo_consents::Column::DecidedBy,
            photo_consents::Column::DecidedAt,
        ])
        .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// The published albums with photos on which the child is tagged.
pub async fn published_albums_showing(
    conn: &impl ConnectionTrait,
    child_id: i32,
) -> Result<Vec<Album>, DbErr> {
    albums::Entity::find()
        .filter(albums::Column::PublishedAt.is_not_null())
        .filter(
            albums::Column::Id.in_subquery(
                Query::select()
                    .column(album_photos::Column::AlbumId)
                    .from(album_photos::Entity)
                    .and_where(
                        album_photos::Column::Id.in_subquery(
                            Query::select()
                                .column(photo_tags::Column::PhotoId)
                                .from(photo_tags::Entity)
                                .and_where(photo_tags::Column::ChildId.eq(child_id))
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        )
        .all(conn)
        .await
}

/// Children by id, for names on tags.
pub async fn children_by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<Vec<children::Model>, DbErr> {
    let mut found = Vec::new();
    for batch in ids.chunks(500) {
        found.extend(
            children::Entity::find()
                .filter(children::Column::Id.is_in(batch.to_vec()))
                .all(conn)
                .await?,
        );
    }
    Ok(found)
}

/// The children who may be tagged on an album's photos: its group's, or for a school album
/// every child.
pub async fn taggable_children(
    conn: &impl ConnectionTrait,
    group_id: Option<i32>,
) -> Result<Vec<children::Model>, DbErr> {
    let mut query = children::Entity::find();
    if let Some(group) = group_id {
        query = query.filter(children::Column::GroupId.eq(group));
    }
    query
        .order_by_asc(children::Column::FirstName)
        .order_by_asc(children::Column::LastName)
        .all(conn)
        .await
}
