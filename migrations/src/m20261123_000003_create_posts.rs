//! Posts (urgent notices, messages, news) with their audience, read/confirmation state and
//! reply threads; push subscriptions; notification preferences; server key material.

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
                    .table(Posts::Table)
                    .col(pk_auto(Posts::Id))
                    .col(string_len(Posts::Kind, 16))
                    .col(integer_null(Posts::AuthorId))
                    .col(boolean(Posts::ToSchool))
                    .col(string_len(Posts::Title, 200))
                    .col(text(Posts::Body))
                    .col(boolean(Posts::AskConfirmation))
                    .col(boolean(Posts::AllowReplies))
                    .col(timestamp_with_time_zone_null(Posts::PinnedUntil))
                    .col(timestamp_with_time_zone(Posts::CreatedAt))
                    .foreign_key(&mut references(
                        (Posts::Table, Posts::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_created")
                    .table(Posts::Table)
                    .col(Posts::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostGroups::Table)
                    .col(integer(PostGroups::PostId))
                    .col(integer(PostGroups::GroupId))
                    .primary_key(
                        Index::create()
                            .col(PostGroups::PostId)
                            .col(PostGroups::GroupId),
                    )
                    .foreign_key(&mut references(
                        (PostGroups::Table, PostGroups::PostId),
                        (Posts::Table, Posts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PostGroups::Table, PostGroups::GroupId),
                        (Groups::Table, Groups::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_post_groups_group")
                    .table(PostGroups::Table)
                    .col(PostGroups::GroupId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostReceipts::Table)
                    .col(integer(PostReceipts::PostId))
                    .col(integer(PostReceipts::UserId))
                    .col(timestamp_with_time_zone(PostReceipts::ReadAt))
                    .col(timestamp_with_time_zone_null(PostReceipts::ConfirmedAt))
                    .primary_key(
                        Index::create()
                            .col(PostReceipts::PostId)
                            .col(PostReceipts::UserId),
                    )
                    .foreign_key(&mut references(
                        (PostReceipts::Table, PostReceipts::PostId),
                        (Posts::Table, Posts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PostReceipts::Table, PostReceipts::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PostReplies::Table)
                    .col(pk_auto(PostReplies::Id))
                    .col(integer(PostReplies::PostId))
                    // The thread: one per (post, parent); staff answers carry the parent's id.
                    .col(integer(PostReplies::ParentId))
                    .col(integer_null(PostReplies::AuthorId))
                    .col(text(PostReplies::Body))
                    .col(timestamp_with_time_zone(PostReplies::CreatedAt))
                    .foreign_key(&mut references(
                        (PostReplies::Table, PostReplies::PostId),
                        (Posts::Table, Posts::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PostReplies::Table, PostReplies::ParentId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut references(
                        (PostReplies::Table, PostReplies::AuthorId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_post_replies_thread")
                    .table(PostReplies::Table)
                    .col(PostReplies::PostId)
                    .col(PostReplies::ParentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .col(pk_auto(PushSubscriptions::Id))
                    .col(integer(PushSubscriptions::UserId))
                    .col(string_len_uniq(PushSubscriptions::Endpoint, 1000))
                    .col(string_len(PushSubscriptions::P256dh, 200))
                    .col(string_len(PushSubscriptions::Auth, 100))
                    .col(timestamp_with_time_zone(PushSubscriptions::CreatedAt))
                    .foreign_key(&mut references(
                        (PushSubscriptions::Table, PushSubscriptions::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationOptOuts::Table)
                    .col(integer(NotificationOptOuts::UserId))
                    .col(string_len(NotificationOptOuts::Kind, 32))
                    .col(timestamp_with_time_zone(NotificationOptOuts::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationOptOuts::UserId)
                            .col(NotificationOptOuts::Kind),
                    )
                    .foreign_key(&mut references(
                        (NotificationOptOuts::Table, NotificationOptOuts::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServerKeys::Table)
                    .col(string_len(ServerKeys::Name, 64).primary_key())
                    .col(text(ServerKeys::Value))
                    .col(timestamp_with_time_zone(ServerKeys::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ServerKeys::Table.into_iden(),
            NotificationOptOuts::Table.into_iden(),
            PushSubscriptions::Table.into_iden(),
            PostReplies::Table.into_iden(),
            PostReceipts::Table.into_iden(),
            PostGroups::Table.into_iden(),
            Posts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    Kind,
    AuthorId,
    ToSchool,
    Title,
    Body,
    AskConfirmation,
    AllowReplies,
    PinnedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PostGroups {
    Table,
    PostId,
    GroupId,
}

#[derive(DeriveIden)]
enum PostReceipts {
    Table,
    PostId,
    UserId,
    ReadAt,
    ConfirmedAt,
}

#[derive(DeriveIden)]
enum PostReplies {
    Table,
    Id,
    PostId,
    ParentId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    UserId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationOptOuts {
    Table,
    UserId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ServerKeys {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Groups {
    Table,
    Id,
}
