//! Data sources, one module each. Registering one is a line in [`all`].

pub mod project;
pub mod projects;

use crate::AtlasClient;
use tfplugin::data_source::DynDataSource;

pub fn all() -> Vec<Box<dyn DynDataSource<AtlasClient>>> {
    vec![
        Box::new(project::ProjectDataSource),
        Box::new(projects::ProjectsDataSource),
    ]
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
