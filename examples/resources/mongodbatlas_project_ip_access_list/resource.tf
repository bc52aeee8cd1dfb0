# Project IP access list entries: one per address, block or AWS security group. Entries
# created in the same apply are sent to Atlas in one request.

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

resource "mongodbatlas_project_ip_access_list" "office" {
  project_id = var.project_id
  cidr_block = "203.0.113.0/24"
  comment    = "Office network"
}

resource "mongodbatlas_project_ip_access_list" "ci_runner" {
  project_id = var.project_id
  ip_address = "198.51.100.7"
  comment    = "CI runner"

  timeouts = {
    delete = "10m"
  }
}

data "mongodbatlas_project_ip_access_lists" "all" {
  project_id = var.project_id
  depends_on = [
    mongodbatlas_project_ip_access_list.office,
    mongodbatlas_project_ip_access_list.ci_runner,
  ]
}

output "ci_runner_cidr" {
  value = mongodbatlas_project_ip_access_list.ci_runner.cidr_block
}
