//! `#[derive(TfModel)]`: the Terraform schema of a typed model, declared once on its fields.
//!
//! ```ignore
//! #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
//! /// An Atlas project's maintenance window.
//! pub struct MaintenanceWindowModel {
//!     /// The project id.
//!     #[tf(required, requires_replace)]
//!     pub project_id: String,
//!     /// Day of the week (1 = Sunday).
//!     #[tf(optional, computed)]
//!     pub day_of_week: Option<i64>,
//! }
//! ```
//!
//! Every field is one attribute (or, with `block`, one nested block) named after the field;
//! its cty type comes from the field's Rust type through `tfplugin::model::TfType`, so a model
//! field and its schema attribute cannot drift. The description is the field's doc comment
//! unless `description = "…"` is given.
//!
//! Field keys: `required`, `optional`, `computed` (`optional, computed` together),
//! `sensitive`, `write_only`, `requires_replace`, `use_state_for_unknown`,
//! `deprecated = "message"`, `description = "text"`, `default = expr` (a `bool`, integer,
//! float or string literal / expression), `nested` (nested attributes; nesting from the
//! container: `Vec` list, `BTreeSet` set, `BTreeMap` map, `Option` / plain single), `block`
//! (a nested block, same nesting rule, with optional `min_items = n`, `max_items = n`),
//! `attribute = expr` (an `Attribute` built by hand, for shapes the keys cannot say, such as
//! `timeouts`), `nested_block = expr` (likewise, a `NestedBlock`).
//!
//! The derive also emits `<Model>Attr` and the constant `<Model>::ATTR`: each field's
//! attribute name, for diagnostics at a path (`AttributePath::root(Model::ATTR.field)`)
//! without a string that a rename could leave behind.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{parse_macro_input, Data, DeriveInput, Expr, Fields, LitInt, LitStr};

#[proc_macro_derive(TfModel, attributes(tf))]
pub fn derive_tf_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

#[derive(Default)]
struct FieldSpec {
    required: bool,
    optional: bool,
    computed: bool,
    sensitive: bool,
    write_only: bool,
    requires_replace: bool,
    use_state_for_unknown: bool,
    deprecated: Option<LitStr>,
    description: Option<LitStr>,
    default: Option<Expr>,
    nested: bool,
    block: bool,
    min_items: Option<LitInt>,
    max_items: Option<LitInt>,
    attribute: Option<Expr>,
    nested_block: Option<Expr>,
}

fn doc_comment(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let text = lines.join(" ").trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// serde renames would make the serde name and the attribute name differ.
fn reject_serde_renames(attrs: &[syn::Attribute]) -> syn::Result<()> {
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let text = a.meta.to_token_stream_string();
        if text.contains("rename") || text.contains("alias") || text.contains("flatten") {
            return Err(syn::Error::new(
                a.span(),
                "TfModel: serde rename/alias/flatten would make the serde name differ from the \
                 attribute name; name the field after the attribute instead",
            ));
        }
    }
    Ok(())
}

trait MetaText {
    fn to_token_stream_string(&self) -> String;
}

impl MetaText for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote!(#self).to_string()
    }
}

fn parse_field(field: &syn::Field) -> syn::Result<FieldSpec> {
    let mut spec = FieldSpec::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("tf")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match key.as_str() {
                "required" => spec.required = true,
                "optional" => spec.optional = true,
                "computed" => spec.computed = true,
                "sensitive" => spec.sensitive = true,
                "write_only" => spec.write_only = true,
                "requires_replace" => spec.requires_replace = true,
                "use_state_for_unknown" => spec.use_state_for_unknown = true,
                "nested" => spec.nested = true,
                "block" => spec.block = true,
                "deprecated" => spec.deprecated = Some(meta.value()?.parse()?),
                "description" => spec.description = Some(meta.value()?.parse()?),
                "default" => spec.default = Some(meta.value()?.parse()?),
                "min_items" => spec.min_items = Some(meta.value()?.parse()?),
                "max_items" => spec.max_items = Some(meta.value()?.parse()?),
                "attribute" => spec.attribute = Some(meta.value()?.parse()?),
                "nested_block" => spec.nested_block = Some(meta.value()?.parse()?),
                _ => return Err(meta.error(format!("TfModel: unknown key `{key}`"))),
            }
            Ok(())
        })?;
    }
    let custom = spec.attribute.is_some() || spec.nested_block.is_some();
    if !(custom || spec.block || spec.required || spec.optional || spec.computed) {
        return Err(syn::Error::new(
            field.span(),
            "TfModel: say how the attribute is set: #[tf(required)], #[tf(optional)], \
             #[tf(computed)] or #[tf(optional, computed)]",
        ));
    }
    if spec.required && (spec.optional || spec.computed) {
        return Err(syn::Error::new(
            field.span(),
            "TfModel: `required` excludes `optional` and `computed`",
        ));
    }
    if spec.block && spec.nested {
        return Err(syn::Error::new(
            field.span(),
            "TfModel: a field is either `block` or `nested`",
        ));
    }
    Ok(spec)
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let vis = &input.vis;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.span(),
            "TfModel: only structs with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            input.span(),
            "TfModel: only structs with named fields",
        ));
    };
    reject_serde_renames(&input.attrs)?;

    let tf = quote!(::tfplugin);
    let mut attributes = Vec::new();
    let mut blocks = Vec::new();
    let mut attr_fields = Vec::new();
    let mut attr_values = Vec::new();

    for field in &fields.named {
        reject_serde_renames(&field.attrs)?;
        let Some(ident) = &field.ident else {
            continue;
        };
        let attr_name = ident.to_string().trim_start_matches("r#").to_string();
        let attr_lit = LitStr::new(&attr_name, Span::call_site());
        let ty = &field.ty;
        let spec = parse_field(field)?;
        attr_fields.push(quote!(pub #ident: &'static str));
        attr_values.push(quote!(#ident: #attr_lit));

        let description = spec
            .description
            .as_ref()
            .map(LitStr::value)
            .or_else(|| doc_comment(&field.attrs))
            .unwrap_or_default();

        if let Some(expr) = &spec.attribute {
            attributes.push(quote!({
                let a: #tf::schema::Attribute = #expr;
                debug_assert_eq!(a.name, #attr_lit, "attribute = … must build the field's attribute");
                a
            }));
            continue;
        }
        if let Some(expr) = &spec.nested_block {
            blocks.push(quote!({
                let b: #tf::schema::NestedBlock = #expr;
                debug_assert_eq!(b.type_name, #attr_lit, "nested_block = … must build the field's block");
                b
            }));
            continue;
        }
        if spec.block {
            let min = spec.min_items.as_ref().map_or(quote!(0), |n| quote!(#n));
            let max = spec.max_items.as_ref().map_or(quote!(0), |n| quote!(#n));
            blocks.push(quote!({
                let mut block = <<#ty as #tf::model::TfNest>::Elem as #tf::model::TfObject>::block();
                if !#description.is_empty() {
                    block.description = #description.to_string();
                }
                #tf::schema::NestedBlock::new(
                    #attr_lit,
                    <#ty as #tf::model::TfNest>::NESTING.block_nesting(),
                    block,
                )
                .items(#min, #max)
            }));
            continue;
        }

        let base = if spec.nested {
            quote!(#tf::schema::Attribute::nested(
                #attr_lit,
                <#ty as #tf::model::TfNest>::NESTING.object_nesting(),
                <<#ty as #tf::model::TfNest>::Elem as #tf::model::TfObject>::attributes(),
            ))
        } else {
            quote!(#tf::schema::Attribute::new(
                #attr_lit,
                <#ty as #tf::model::TfType>::tf_type(),
            ))
        };
        let mut chain = Vec::new();
        if spec.required {
            chain.push(quote!(.required()));
        }
        if spec.optional {
            chain.push(quote!(.optional()));
        }
        if spec.computed {
            // `computed()` clears `optional`; restore it for optional+computed.
            chain.push(if spec.optional {
                quote!(.optional_computed())
            } else {
                quote!(.computed())
            });
        }
        if spec.sensitive {
            chain.push(quote!(.sensitive()));
        }
        if spec.write_only {
            chain.push(quote!(.write_only()));
        }
        if spec.requires_replace {
            chain.push(quote!(.requires_replace()));
        }
        if spec.use_state_for_unknown {
            chain.push(quote!(.use_state_for_unknown()));
        }
        if let Some(msg) = &spec.deprecated {
            chain.push(quote!(.deprecated(#msg)));
        }
        if let Some(expr) = &spec.default {
            chain.push(quote!(.default_value(#tf::model::default_value(#expr))));
        }
        attributes.push(quote!(#base #(#chain)* .description(#description)));
    }

    let struct_description = input
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("tf"))
        .find_map(|a| {
            let mut found = None;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.is_ident("description") {
                    found = Some(meta.value()?.parse::<LitStr>()?.value());
                }
                Ok(())
            });
            found
        })
        .or_else(|| doc_comment(&input.attrs))
        .unwrap_or_default();

    let attr_struct = format_ident!("{}Attr", name);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    Ok(quote! {
        impl #impl_generics #tf::model::TfObject for #name #ty_generics #where_clause {
            fn attributes() -> ::std::vec::Vec<#tf::schema::Attribute> {
                ::std::vec![#(#attributes),*]
            }
            fn blocks() -> ::std::vec::Vec<#tf::schema::NestedBlock> {
                ::std::vec![#(#blocks),*]
            }
            fn description() -> ::std::string::String {
                #struct_description.to_string()
            }
        }

        impl #impl_generics #tf::model::TfType for #name #ty_generics #where_clause {
            fn tf_type() -> #tf::value::Type {
                <Self as #tf::model::TfObject>::block().ty()
            }
        }

        impl #impl_generics #tf::model::TfNest for #name #ty_generics #where_clause {
            type Elem = Self;
            const NESTING: #tf::model::Nesting = #tf::model::Nesting::Single;
        }

        /// Attribute names of each field, for diagnostic paths.
        #[derive(Debug, Clone, Copy)]
        #vis struct #attr_struct {
            #(#attr_fields),*
        }

        impl #impl_generics #name #ty_generics #where_clause {
            /// Each field's attribute name.
            #vis const ATTR: #attr_struct = #attr_struct { #(#attr_values),* };
        }
    })
}
