//! Photo albums of the school and of groups, their photos (an upload waits for the
//! background job that turns it into a thumbnail and a display copy), which children can be
//! recognised on each photo, and each child's photo consent per purpose.

use sea_orm_migration::{prelude::*, schema::*};

use crate::references;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Albums::Table)
                    .col(pk_auto(Albums::Id))
                    // None: the whole school's album.
                    .col(integer_null(Albums::GroupId))
                    .col(string_len(Albums::Title, 200))
                    .col(text(Albums::Description))
                    .col(integer_null(Albums::AuthorId))
                    // The school year (the year it starts in) the album belongs to: retention
                    // counts in school years.
                    .col(integer(Albums::SchoolYear))
                    .col(timestamp_with_time_zone_null(Albums::PublishedAt))
                    .col(timestamp_with_time_zone(Albums::CreatedAt))
                    .col(timestamp_with_time_zone(Albums::UpdatedAt))
                    .foreign_key(&mut references(
                        (Albums::Table, Albums::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (Albums::Table, Albums::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_albums_group")
                    .table(Albums::Table)
                    .col(Albums::GroupId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlbumPhotos::Table)
                    .col(pk_auto(AlbumPhotos::Id))
                    .col(integer(AlbumPhotos::AlbumId))
                    .col(integer_null(AlbumPhotos::UploaderId))
                    .col(integer(AlbumPhotos::Position))
                    // `pending`, `ready` or `failed`.
                    .col(string_len(AlbumPhotos::Status, 12))
                    // Why processing failed: an error code such as `image_too_large`.
                    .col(string_len_null(AlbumPhotos::Failure, 40))
                    .col(string_len(AlbumPhotos::FileName, 200))
                    // The upload as sent, until it is processed (then kept as the original
                    // only where the school keeps originals).
                    .col(string_len_null(AlbumPhotos::UploadKey, 64))
                    .col(string_len_null(AlbumPhotos::OriginalKey, 64))
                    .col(string_len_null(AlbumPhotos::ThumbKey, 64))
                    .col(string_len_null(AlbumPhotos::DisplayKey, 64))
                    .col(integer_null(AlbumPhotos::Width))
                    .col(integer_null(AlbumPhotos::Height))
                    .col(integer(AlbumPhotos::DisplayBytes).default(0))
                    .col(integer(AlbumPhotos::ThumbBytes).default(0))
                    // The uploader said no child can be recognised on it.
                    .col(boolean(AlbumPhotos::NoRecognisableChildren).default(false))
                    .col(integer(AlbumPhotos::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(AlbumPhotos::LeaseUntil))
                    .col(timestamp_with_time_zone(AlbumPhotos::CreatedAt))
                    .col(timestamp_with_time_zone_null(AlbumPhotos::ProcessedAt))
                    .foreign_key(&mut references(
                        (AlbumPhotos::Table, AlbumPhotos::AlbumId),
                        (Albums::Table, Albums::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (AlbumPhotos::Table, AlbumPhotos::UploaderId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_album_photos_album")
                    .table(AlbumPhotos::Table)
                    .col(AlbumPhotos::AlbumId)
                    .col(AlbumPhotos::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_album_photos_status")
                    .table(AlbumPhotos::Table)
                    .col(AlbumPhotos::Status)
                    .col(AlbumPhotos::LeaseUntil)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PhotoTags::Table)
                    .col(pk_auto(PhotoTags::Id))
                    .col(integer(PhotoTags::PhotoId))
                    .col(integer(PhotoTags::ChildId))
                    .foreign_key(&mut references(
                        (PhotoTags::Table, PhotoTags::PhotoId),
                        (AlbumPhotos::Table, AlbumPhotos::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PhotoTags::Table, PhotoTags::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_photo_tags_photo_child")
                    .table(PhotoTags::Table)
                    .col(PhotoTags::PhotoId)
                    .col(PhotoTags::ChildId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_photo_tags_child")
                    .table(PhotoTags::Table)
                    .col(PhotoTags::ChildId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PhotoConsents::Table)
                    .col(pk_auto(PhotoConsents::Id))
                    .col(integer(PhotoConsents::ChildId))
                    // `albums`, `website` or `print`.
                    .col(string_len(PhotoConsents::Purpose, 16))
                    .col(boolean(PhotoConsents::Granted))
                    // The school year the answer was given in: where the school asks again
                    // each year, an answer of an earlier year no longer counts.
                    .col(integer(PhotoConsents::SchoolYear))
                    .col(integer_null(PhotoConsents::DecidedBy))
                    .col(timestamp_with_time_zone(PhotoConsents::DecidedAt))
                    .foreign_key(&mut references(
                        (PhotoConsents::Table, PhotoConsents::ChildId),
                        (Children::Table, Children::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PhotoConsents::Table, PhotoConsents::DecidedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_photo_consents_child_purpose")
                    .table(PhotoConsents::Table)
                    .col(PhotoConsents::ChildId)
                    .col(PhotoConsents::Purpose)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PhotoConsents::Table.into_iden(),
            PhotoTags::Table.into_iden(),
            AlbumPhotos::Table.into_iden(),
            Albums::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Albums {
    Table,
    Id,
    GroupId,
    Title,
    Description,
    AuthorId,
    SchoolYear,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AlbumPhotos {
    Table,
    Id,
    AlbumId,
    UploaderId,
    Position,
    Status,
    Failure,
    FileName,
    UploadKey,
    OriginalKey,
    ThumbKey,
    DisplayKey,
    Width,
    Height,
    DisplayBytes,
    ThumbBytes,
    NoRecognisableChildren,
    Attempts,
    LeaseUntil,
    CreatedAt,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum PhotoTags {
    Table,
    Id,
    PhotoId,
    ChildId,
}

#[derive(DeriveIden)]
enum PhotoConsents {
    Table,
    Id,
    ChildId,
    Purpose,
    Granted,
    SchoolYear,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Children {
    Table,
    Id,
}
