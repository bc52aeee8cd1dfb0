# Quickstart: one Atlas project, created through the mongodbatlas provider.
#
# Point it at the local sandbox (scripts/demo.sh does this for you):
#   export MONGODB_ATLAS_BASE_URL=http://127.0.0.1:18080
#   export MONGODB_ATLAS_PUBLIC_KEY=... MONGODB_ATLAS_PRIVATE_KEY=...
#   export TF_VAR_org_id=<organization id the sandbox printed>
# or at real Atlas by leaving MONGODB_ATLAS_BASE_URL unset.

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
  default = "quickstart"
}

resource "mongodbatlas_project" "this" {
  name   = var.project_name
  org_id = var.org_id
  tags = {
    environment = "dev"
    managed_by  = "terraform"
  }
}

data "mongodbatlas_project" "by_name" {
  name = mongodbatlas_project.this.name
}

output "project_id" {
  value = mongodbatlas_project.this.id
}

output "project_created" {
  value = mongodbatlas_project.this.created
}

output "lookup_by_name_matches" {
  value = data.mongodbatlas_project.by_name.id == mongodbatlas_project.this.id
}
