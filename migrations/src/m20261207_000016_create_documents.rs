//! Documents: folders of the school or of one group, holding files kept in the file store.
//! A new version of a document replaces its file and keeps its id, so links to it stay.

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
                    .table(DocumentFolders::Table)
                    .col(pk_auto(DocumentFolders::Id))
                    // Empty: a folder of the whole school.
                    .col(integer_null(DocumentFolders::GroupId))
                    .col(string_len(DocumentFolders::Name, 100))
                    .col(timestamp_with_time_zone(DocumentFolders::CreatedAt))
                    .foreign_key(&mut references(
                        (DocumentFolders::Table, DocumentFolders::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_auto(Documents::Id))
                    .col(integer(Documents::FolderId))
                    .col(string_len(Documents::Title, 200))
                    .col(string_len(Documents::FileName, 255))
                    .col(string_len(Documents::ContentType, 100))
                    .col(big_integer(Documents::Size))
                    // The file store's key of the current version.
                    .col(string_len(Documents::FileKey, 64))
                    .col(integer(Documents::Version))
                    .col(integer_null(Documents::AuthorId))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .col(timestamp_with_time_zone(Documents::UpdatedAt))
                    .foreign_key(&mut references(
                        (Documents::Table, Documents::FolderId),
                        (DocumentFolders::Table, DocumentFolders::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (Documents::Table, Documents::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_documents_folder")
                    .table(Documents::Table)
                    .col(Documents::FolderId)
                    .col(Documents::UpdatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(DocumentFolders::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DocumentFolders {
    Table,
    Id,
    GroupId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    FolderId,
    Title,
    FileName,
    ContentType,
    Size,
    FileKey,
    Version,
    AuthorId,
    CreatedAt,
    UpdatedAt,
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
