//! Project IP access list: the error codes this area answers (same envelope as every other, see
//! [`crate::error`]).

use axum::http::StatusCode;
use serde_json::json;

use crate::error::ApiError;

impl ApiError {
    pub fn atlas_network_permission_entry_not_found(entry: &str, group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND",
            format!("IP Address {entry} not on Atlas access list for group {group_id}."),
            vec![json!(entry), json!(group_id)],
        )
    }

    pub fn invalid_ip_address_or_cidr_notation(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
            format!("The address {value} must be in valid IP address or CIDR notation."),
            vec![json!(value)],
        )
    }

    pub fn invalid_cidr_block(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_CIDR_BLOCK",
            format!("The CIDR block {value} is invalid: its address must be the network address."),
            vec![json!(value)],
        )
    }

    pub fn multiple_values_specified_for_one_network_permission_entry() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY",
            "Only one of ipAddress, cidrBlock and awsSecurityGroup may be specified per access list entry.",
            vec![],
        )
    }

    pub fn duplicate_addresses_in_input(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_ADDRESSES_IN_INPUT",
            format!("The address {value} appears more than once in the request."),
            vec![json!(value)],
        )
    }

    pub fn invalid_network_permission_comment(comment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_NETWORK_PERMISSION_COMMENT",
            format!("The comment {comment} is invalid: at most 80 characters are allowed."),
            vec![json!(comment)],
        )
    }

    pub fn network_permission_expiration_not_supported() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "NETWORK_PERMISSION_EXPIRATION_NOT_SUPPORTED",
            "AWS security group access list entries cannot be temporary.",
            vec![],
        )
    }

    pub fn cannot_use_aws_security_group_without_vpc_peering_connection() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION",
            "An AWS security group can only be added to the access list of a project with a VPC peering connection.",
            vec![],
        )
    }

    pub fn atlas_network_permissions_limit_exceeded(limit: usize) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED",
            format!("The project access list cannot have more than {limit} entries."),
            vec![json!(limit)],
        )
    }
}
