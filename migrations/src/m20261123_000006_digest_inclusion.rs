//! Which run mailed a post (`posts.included_in_run`), so a post is listed by exactly one
//! digest or news batch even if it was saved just after a run looked; and at most one
//! unfinished run per job, so runs of one job never overlap.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(ColumnDef::new(Posts::IncludedInRun).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_kind_included_in_run")
                    .table(Posts::Table)
                    .col(Posts::Kind)
                    .col(Posts::IncludedInRun)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // Posts an earlier run covered by its period count as mailed by that run.
        db.execute_unprepared(
            "UPDATE posts SET included_in_run = (
                SELECT r.id FROM scheduled_runs r
                WHERE r.status = 'done'
                  AND r.job = CASE posts.kind WHEN 'message' THEN 'digest' ELSE 'news_batch' END
                  AND r.scheduled_for >= posts.created_at
                ORDER BY r.scheduled_for LIMIT 1)
             WHERE kind IN ('message', 'news')",
        )
        .await?;
        // Partial unique index: the same statement on SQLite and PostgreSQL.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX idx_scheduled_runs_one_running ON scheduled_runs (job) \
             WHERE status = 'running'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX idx_scheduled_runs_one_running")
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_posts_kind_included_in_run")
                    .table(Posts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .drop_column(Posts::IncludedInRun)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Kind,
    IncludedInRun,
}
