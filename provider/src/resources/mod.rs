//! Managed resources, one module each.
//!
//! A resource declared as a [`crate::crud::AtlasResource`] is registered, with its data
//! source, by one line in the [`declared!`] list below (module => type); the others are listed
//! in [`all`].

pub mod advanced_cluster;
pub mod database_user;
pub mod project_ip_access_list;

use crate::crud::Registry;
use crate::AtlasClient;
use tfplugin::resource::DynResource;

/// `module => Type` per line: declares the module and registers its resource (and data source).
macro_rules! declared {
    ($($module:ident => $ty:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// The resources declared as [`crate::crud::AtlasResource`]s, each with its data source.
        pub fn declared() -> Registry {
            let mut r = Registry::default();
            $(r.declare::<$module::$ty>();)*
            r
        }
    };
}

declared! {
    custom_db_role => CustomDbRoleResource,
    maintenance_window => MaintenanceWindow,
    project => ProjectResource,
}

/// Every resource this provider serves, sorted by type name.
pub fn all() -> Vec<Box<dyn DynResource<AtlasClient>>> {
    let mut all: Vec<Box<dyn DynResource<AtlasClient>>> = vec![
        Box::new(advanced_cluster::AdvancedClusterResource),
        Box::new(database_user::DatabaseUserResource),
        Box::new(project_ip_access_list::ProjectIpAccessListResource),
    ];
    all.extend(declared().resources);
    all.sort_by_key(|r| r.type_name());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::schema::validate_schema;

    #[test]
    fn resource_schemas_are_valid_and_names_unique() {
        let mut names = std::collections::BTreeSet::new();
        for r in all() {
            assert!(r.type_name().starts_with("mongodbatlas_"));
            assert!(names.insert(r.type_name()), "duplicate {}", r.type_name());
            if let Err(e) = validate_schema(&r.schema()) {
                panic!("{}: {e}", r.type_name());
            }
        }
    }
}
