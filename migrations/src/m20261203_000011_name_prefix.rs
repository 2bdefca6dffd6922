//! Names get their prefix ("van der", "de", "von") as a field of its own, so names sort by
//! the last name without it, the Dutch way. Existing names stay as they are.

use sea_orm_migration::{prelude::*, schema::string_len_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for table in [Names::Users, Names::Children] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(string_len_null(Names::NamePrefix, 100))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Names::Users, Names::Children] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Names::NamePrefix)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Names {
    Users,
    Children,
    NamePrefix,
}
