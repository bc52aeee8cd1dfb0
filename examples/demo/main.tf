# The demo (scripts/demo.sh): a project with an M10 replica set, a database user and two
# IP access-list entries, and the cluster's connection strings as outputs.
#
# scripts/demo.sh applies it against the local sandbox (or, with DEMO_TARGET=external, against
# the Atlas your MONGODB_ATLAS_* variables point at), re-plans to show "No changes", then destroys.
# By hand:
#   export MONGODB_ATLAS_BASE_URL=http://127.0.0.1:18080      # unset: real Atlas
#   export MONGODB_ATLAS_PUBLIC_KEY=... MONGODB_ATLAS_PRIVATE_KEY=...
#   terraform apply -var org_id=<organization id> -var db_password=<8+ characters>

terraform {
  required_providers {
    mongodbatlas = {
      source = "mongodb/mongodbatlas"
    }
  }
}

variable "org_id" {
  description = "Atlas organization id"
  type        = string
}

variable "project_name" {
  description = "Name of the project to create (unique in the organization)"
  type        = string
  default     = "demo"
}

variable "db_password" {
  description = "Password of the database user (8 characters or more)"
  type        = string
  sensitive   = true
}

resource "mongodbatlas_project" "demo" {
  name   = var.project_name
  org_id = var.org_id
  tags = {
    created-by = "terraform-demo"
  }
}

resource "mongodbatlas_advanced_cluster" "demo" {
  project_id   = mongodbatlas_project.demo.id
  name         = "demo"
  cluster_type = "REPLICASET"

  replication_specs = [
    {
      region_configs = [
        {
          provider_name = "AWS"
          region_name   = "US_EAST_1"
          priority      = 7
          electable_specs = {
            instance_size = "M10"
            node_count    = 3
          }
        }
      ]
    }
  ]

  backup_enabled = false
  tags = {
    created-by = "terraform-demo"
  }
}

resource "mongodbatlas_database_user" "app" {
  project_id         = mongodbatlas_project.demo.id
  username           = "app"
  password           = var.db_password
  auth_database_name = "admin"

  roles {
    role_name     = "readWrite"
    database_name = "app"
  }

  scopes {
    name = mongodbatlas_advanced_cluster.demo.name
    type = "CLUSTER"
  }
}

# Documentation addresses (RFC 5737): replace them with your own to connect.
resource "mongodbatlas_project_ip_access_list" "office" {
  project_id = mongodbatlas_project.demo.id
  cidr_block = "203.0.113.0/24"
  comment    = "office"
}

resource "mongodbatlas_project_ip_access_list" "laptop" {
  project_id = mongodbatlas_project.demo.id
  ip_address = "198.51.100.7"
  comment    = "laptop"
}

output "project_id" {
  value = mongodbatlas_project.demo.id
}

output "connection_string" {
  description = "mongodb+srv:// connection string of the cluster"
  value       = mongodbatlas_advanced_cluster.demo.connection_strings.standard_srv
}

output "connection_string_standard" {
  description = "mongodb:// connection string (seed list) of the cluster"
  value       = mongodbatlas_advanced_cluster.demo.connection_strings.standard
}

output "cluster_state" {
  value = mongodbatlas_advanced_cluster.demo.state_name
}
