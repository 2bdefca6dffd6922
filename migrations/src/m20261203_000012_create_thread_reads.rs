//! How far each reader has read each reply thread, so the app can count what is new: the
//! parent for the staff's answers, each member of staff for the parent's messages.

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
                    .table(ThreadReads::Table)
                    .col(integer(ThreadReads::PostId))
                    .col(integer(ThreadReads::ParentId))
                    .col(integer(ThreadReads::UserId))
                    // The newest reply of the thread this reader has seen.
                    .col(integer(ThreadReads::ReadUpTo))
                    .primary_key(
                        Index::create()
                            .col(ThreadReads::UserId)
                            .col(ThreadReads::PostId)
                            .col(ThreadReads::ParentId),
                    )
                    .foreign_key(&mut references(
                        (ThreadReads::Table, ThreadReads::PostId),
                        (Posts::Table, Posts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ThreadReads::Table, ThreadReads::ParentId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (ThreadReads::Table, ThreadReads::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // Finding a parent's threads across posts.
        manager
            .create_index(
                Index::create()
                    .name("idx_post_replies_parent")
                    .table(PostReplies::Table)
                    .col(PostReplies::ParentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_post_replies_parent")
                    .table(PostReplies::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ThreadReads::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ThreadReads {
    Table,
    PostId,
    ParentId,
    UserId,
    ReadUpTo,
}

#[derive(DeriveIden)]
enum PostReplies {
    Table,
    ParentId,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
