//! Data sources, one module each. Registering one is a line in [`all`].

pub mod advanced_cluster;
pub mod advanced_clusters;
pub mod database_user;
pub mod database_users;
pub mod project;
pub mod project_ip_access_list;
pub mod project_ip_access_lists;
pub mod projects;

use crate::AtlasClient;
use tfplugin::data_source::DynDataSource;

pub fn all() -> Vec<Box<dyn DynDataSource<AtlasClient>>> {
    let mut all: Vec<Box<dyn DynDataSource<AtlasClient>>> = vec![
        Box::new(advanced_cluster::AdvancedClusterDataSource),
        Box::new(advanced_clusters::AdvancedClustersDataSource),
        Box::new(crate::resources::custom_db_role::CustomDbRoleDataSource),
        Box::new(crate::resources::custom_db_role::CustomDbRolesDataSource),
        Box::new(database_user::DatabaseUserDataSource),
        Box::new(database_users::DatabaseUsersDataSource),
        Box::new(crate::resources::maintenance_window::MaintenanceWindowDataSource),
        Box::new(project::ProjectDataSource),
        Box::new(project_ip_access_list::ProjectIpAccessListDataSource),
        Box::new(project_ip_access_lists::ProjectIpAccessListsDataSource),
        Box::new(projects::ProjectsDataSource),
    ];
    all.extend(crate::resources::declared().data_sources);
    all.sort_by_key(|d| d.type_name());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::schema::validate_schema;

    #[test]
    fn data_source_schemas_are_valid() {
        for d in all() {
            if let Err(e) = validate_schema(&d.schema()) {
                panic!("{}: {e}", d.type_name());
            }
        }
    }
}
