//! Files attached to posts, kept in the database so one backup holds everything.

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
                    .table(Attachments::Table)
                    .col(pk_auto(Attachments::Id))
                    .col(integer(Attachments::PostId))
                    .col(string_len(Attachments::FileName, 255))
                    .col(string_len(Attachments::ContentType, 100))
                    .col(integer(Attachments::Size))
                    .col(blob(Attachments::Data))
                    .col(timestamp_with_time_zone(Attachments::CreatedAt))
                    .foreign_key(&mut references(
                        (Attachments::Table, Attachments::PostId),
                        (Posts::Table, Posts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attachments_post")
                    .table(Attachments::Table)
                    .col(Attachments::PostId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Attachments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    PostId,
    FileName,
    ContentType,
    Size,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}
