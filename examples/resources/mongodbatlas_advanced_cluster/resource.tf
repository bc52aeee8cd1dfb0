# A three-node M10 replica set on AWS, written exactly as for the official provider v2.x:
# `replication_specs` and `region_configs` are lists of objects, the specs single objects,
# `timeouts` an attribute. Import an existing cluster with
#   terraform import mongodbatlas_advanced_cluster.this <project_id>-<cluster_name>

terraform {
  required_providers {
    mongodbatlas = {
      source = "mongodb/mongodbatlas"
    }
  }
}

variable "project_id" {
  description = "Atlas project id"
  type        = string
}

resource "mongodbatlas_advanced_cluster" "this" {
  project_id   = var.project_id
  name         = "example-cluster"
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
          auto_scaling = {
            disk_gb_enabled = true
          }
        }
      ]
    }
  ]

  backup_enabled         = true
  mongo_db_major_version = "8.0"

  advanced_configuration = {
    javascript_enabled           = false
    minimum_enabled_tls_protocol = "TLS1_2"
  }

  tags = {
    environment = "dev"
    managed_by  = "terraform"
  }

  timeouts = {
    create = "2h"
    update = "2h"
    delete = "1h"
  }
}

output "connection_string" {
  value = mongodbatlas_advanced_cluster.this.connection_strings.standard_srv
}

output "state" {
  value = mongodbatlas_advanced_cluster.this.state_name
}
