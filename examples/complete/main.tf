# A complete project: one replica set, two database users and three access-list entries.
# Resize the cluster in place with -var instance_size=M20.

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
  type    = string
  default = "complete-example"
}

variable "instance_size" {
  type    = string
  default = "M10"
}

resource "mongodbatlas_project" "this" {
  name   = var.project_name
  org_id = var.org_id
  tags = {
    environment = "staging"
  }
}

resource "mongodbatlas_advanced_cluster" "main" {
  project_id   = mongodbatlas_project.this.id
  name         = "main"
  cluster_type = "REPLICASET"

  replication_specs = [
    {
      region_configs = [
        {
          provider_name = "AWS"
          region_name   = "EU_WEST_1"
          priority      = 7
          electable_specs = {
            instance_size = var.instance_size
            node_count    = 3
          }
        }
      ]
    }
  ]

  backup_enabled = true
}

resource "mongodbatlas_database_user" "app" {
  project_id         = mongodbatlas_project.this.id
  username           = "app"
  password           = "app-password-123"
  auth_database_name = "admin"

  roles {
    role_name     = "readWrite"
    database_name = "app"
  }

  scopes {
    name = mongodbatlas_advanced_cluster.main.name
    type = "CLUSTER"
  }
}

resource "mongodbatlas_database_user" "reporting" {
  project_id         = mongodbatlas_project.this.id
  username           = "reporting"
  password           = "reporting-password-123"
  auth_database_name = "admin"

  roles {
    role_name     = "read"
    database_name = "app"
  }
}

resource "mongodbatlas_project_ip_access_list" "office" {
  project_id = mongodbatlas_project.this.id
  cidr_block = "203.0.113.0/24"
  comment    = "office"
}

resource "mongodbatlas_project_ip_access_list" "vpn" {
  project_id = mongodbatlas_project.this.id
  ip_address = "198.51.100.7"
  comment    = "vpn"
}

resource "mongodbatlas_project_ip_access_list" "ci" {
  project_id = mongodbatlas_project.this.id
  cidr_block = "192.0.2.10/32"
  comment    = "ci runner"
}

output "connection_string" {
  value = mongodbatlas_advanced_cluster.main.connection_strings.standard_srv
}
