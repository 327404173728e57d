# Type stubs of the leanspec package (the C++ extension leanspec._leanspec and the idioms of
# __init__.py). tests/test_stubs.py checks that every public name and method here exists at run
# time and the other way round.
import datetime
import enum
import os
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

__version__: str

class Error(Exception):
    code: Optional[str]

class InvalidArgumentError(Error): ...
class NotFoundError(Error): ...
class AmbiguousError(Error): ...
class ConfigError(Error): ...
class IoError(Error): ...
class DatabaseError(Error): ...
class NetworkError(Error): ...
class RateLimitedError(Error): ...
class UnauthorizedError(Error): ...
class ConflictError(Error): ...
class InternalError(Error): ...

class Status(enum.Enum):
    DRAFT = 0
    PLANNED = 1
    IN_PROGRESS = 2
    COMPLETE = 3
    ARCHIVED = 4
    @property
    def text(self) -> str: ...

class Priority(enum.Enum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2
    CRITICAL = 3
    @property
    def text(self) -> str: ...

class Severity(enum.Enum):
    ERROR = 0
    WARNING = 1
    @property
    def text(self) -> str: ...

class SortKey(enum.Enum):
    NUMBER = 0
    ID = 1
    TITLE = 2
    STATUS = 3
    PRIORITY = 4
    CREATED = 5
    UPDATED = 6

class FolderPattern(enum.Enum):
    FLAT = 0
    DATE_GROUPED = 1

def parse_status(text: str) -> Optional[Status]: ...
def parse_priority(text: str) -> Optional[Priority]: ...
def render_html(markdown: str, allow_raw_html: bool = False) -> str: ...
def default_cache_dir() -> os.PathLike[str]: ...

class Diagnostic:
    severity: Severity
    spec_id: Optional[str]
    file: str
    line: int
    code: str
    message: str
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Transition:
    status: Status
    at: Optional[datetime.datetime]
    at_text: Optional[str]

class SubSpec:
    file: str
    name: str
    content: str
    content_hash: str

class Spec:
    id: str
    number: Optional[int]
    number_text: str
    slug: str
    path: str
    title: str
    status: Status
    priority: Optional[Priority]
    tags: list[str]
    assignee: Optional[str]
    created_at: Optional[datetime.datetime]
    updated_at: Optional[datetime.datetime]
    completed_at: Optional[datetime.datetime]
    created_text: Optional[str]
    created_at_text: Optional[str]
    updated_at_text: Optional[str]
    completed_text: Optional[str]
    completed_at_text: Optional[str]
    transitions: list[Transition]
    depends_on: list[str]
    parent: Optional[str]
    related: list[str]
    archived: bool
    frontmatter: dict[str, Any]
    custom_fields: dict[str, Any]
    body: str
    body_line: int
    content_hash: str
    sub_specs: list[SubSpec]
    diagnostics: list[Diagnostic]
    has_errors: bool
    def to_json(self, *, full: bool = True) -> str: ...
    def to_dict(self, *, full: bool = True) -> dict[str, Any]: ...

class SpecList(Sequence[Spec]):
    total: int
    next_cursor: Optional[str]
    project_ids: list[str]
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> Spec: ...  # type: ignore[override]
    def __iter__(self) -> Iterator[Spec]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class SearchHit:
    spec: Spec
    score: float
    snippet: str
    project_id: Optional[str]

class SearchResult(Sequence[SearchHit]):
    total: int
    next_cursor: Optional[str]
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> SearchHit: ...  # type: ignore[override]
    def __iter__(self) -> Iterator[SearchHit]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Stats:
    total: int
    by_status: dict[Status, int]
    by_priority: dict[Priority, int]
    without_priority: int
    by_tag: dict[str, int]
    by_assignee: dict[str, int]
    completion_rate: float
    by_project: dict[str, dict[Status, int]]
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Relationships:
    id: str
    depends_on: list[str]
    required_by: list[str]
    parent: Optional[str]
    children: list[str]
    depends_on_transitive: list[str]
    required_by_transitive: list[str]
    ancestors: list[str]
    cycles: list[list[str]]
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Project:
    id: str
    name: str
    specs_dir: Optional[str]
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class ChangeEvent:
    project_id: str
    version: int
    added: list[str]
    changed: list[str]
    removed: list[str]
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Subscription:
    active: bool
    def close(self) -> None: ...
    def __enter__(self) -> "Subscription": ...
    def __exit__(self, *args: object) -> None: ...

_Statuses = Union[None, Status, str, Iterable[Union[Status, str]]]
_Priorities = Union[None, Priority, str, Iterable[Union[Priority, str]]]
_Tags = Union[None, str, Iterable[str]]

class SpecSource:
    def projects(self) -> list[Project]: ...
    def list(
        self,
        *,
        project_id: str = "",
        status: _Statuses = None,
        priority: _Priorities = None,
        tags: _Tags = None,
        tags_match: str = "all",
        assignee: Optional[str] = None,
        archived: Optional[bool] = None,
        sort: Union[SortKey, str] = "number",
        descending: bool = False,
        limit: int = 0,
        cursor: str = "",
    ) -> SpecList: ...
    def get(self, ref: str, *, project_id: str = "") -> Optional[Spec]: ...
    def search(
        self,
        query: str,
        *,
        project_id: str = "",
        limit: int = 50,
        status: _Statuses = None,
        priority: _Priorities = None,
        tags: _Tags = None,
        tags_match: str = "all",
        assignee: Optional[str] = None,
        archived: Optional[bool] = None,
        cursor: str = "",
    ) -> SearchResult: ...
    def stats(self, *, project_id: str = "") -> Stats: ...
    def relationships(self, ref: str, *, project_id: str = "") -> Optional[Relationships]: ...
    def validate(self, *, project_id: str = "") -> list[Diagnostic]: ...
    def by_status(self, *, project_id: str = "") -> dict[Status, list[Spec]]: ...
    def subscribe(self, callback: Callable[[ChangeEvent], object]) -> Subscription: ...
    def __iter__(self) -> Iterator[Spec]: ...
    def pages(self, page_size: int = 100, **filters: Any) -> Iterator[Spec]: ...

_Duration = Union[datetime.timedelta, int, float]  # a number: seconds

class FilesystemSource(SpecSource):
    def __init__(
        self,
        specs_dir: Union[str, os.PathLike[str]],
        *,
        project_id: str = "",
        pattern: FolderPattern = FolderPattern.FLAT,
        watch: bool = False,
        debounce: _Duration = ...,
        poll_interval: _Duration = ...,
        force_polling: bool = False,
        threads: int = 0,
        cache_dir: Union[None, str, os.PathLike[str]] = None,
        max_file_size: int = 8388608,
    ) -> None: ...
    def reload(self) -> None: ...
    version: int
    specs_dir: os.PathLike[str]

class CacheCounters:
    hits: int
    misses: int
    entries: int

class CachingSource(SpecSource):
    def __init__(self, inner: SpecSource, *, ttl: _Duration = ...) -> None: ...
    def invalidate(self, ref: Optional[str] = None, *, project_id: str = "") -> None: ...
    def counters(self) -> CacheCounters: ...
    inner: SpecSource

class WriteMode(enum.Enum):
    COMMIT = 0
    PULL_REQUEST = 1
    @property
    def text(self) -> str: ...

class RegisteredProject:
    id: str
    branch: str
    specs_path: str
    sync_interval: datetime.timedelta
    sync_state: str
    sync_error: str
    commit_sha: str
    last_commit: str  # deprecated: commit_sha
    last_synced_at: Optional[datetime.datetime]
    sync_interrupted_at: Optional[datetime.datetime]
    snapshot_version: int
    spec_count: int
    write_mode: WriteMode

class ImportResult:
    added: int
    updated: int
    removed: int
    version: int

class DatabaseSource(SpecSource):
    def __init__(
        self,
        database_url: str = "",
        *,
        recheck: _Duration = ...,
        project_id: str = "",
        cache_bytes: int = ...,
    ) -> None: ...
    def add_project(
        self,
        id: str,
        *,
        branch: str = "main",
        specs_path: str = "specs",
        sync_interval: _Duration = ...,
        write_mode: Union[None, WriteMode, str] = None,
    ) -> None: ...
    def update_project(
        self,
        id: str,
        *,
        branch: Optional[str] = None,
        specs_path: Optional[str] = None,
        sync_interval: Optional[_Duration] = None,
        write_mode: Union[None, WriteMode, str] = None,
    ) -> None: ...
    def remove_project(self, id: str) -> bool: ...
    def registered_projects(self) -> list[RegisteredProject]: ...
    def import_directory(
        self, project_id: str, specs_dir: Union[str, os.PathLike[str]]
    ) -> ImportResult: ...
    description: str

class SpecsMode(enum.Enum):
    FILESYSTEM = 0
    DATABASE = 1
    BOTH = 2
    @property
    def text(self) -> str: ...

class SourceKind(enum.Enum):
    FILESYSTEM = 0
    DATABASE = 1
    @property
    def text(self) -> str: ...

class SourceState(enum.Enum):
    OK = 0
    STALE = 1
    DOWN = 2
    @property
    def text(self) -> str: ...

class SourceHealth:
    source: SourceKind
    state: SourceState
    description: str
    error: str
    since: Optional[datetime.datetime]

class ServiceHealth:
    mode: SpecsMode
    sources: list[SourceHealth]
    stale: bool
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class ServedProject:
    project: Project
    source: SourceKind
    stale: bool
    registration: Optional[RegisteredProject]
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class SourceCacheStats:
    source: SourceKind
    counters: CacheCounters
    hit_rate: float

class CacheStats:
    sources: list[SourceCacheStats]
    total: CacheCounters
    hit_rate: float
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class SyncOutcome(enum.Enum):
    OK = 0
    NOT_MODIFIED = 1
    ERROR = 2
    RATE_LIMITED = 3
    RUNNING = 4
    @property
    def text(self) -> str: ...

class SyncRun:
    id: int
    project_id: str
    outcome: SyncOutcome
    started_at: Optional[datetime.datetime]
    ended_at: Optional[datetime.datetime]
    added: int
    updated: int
    removed: int
    requests: int
    not_modified: int
    bytes: int
    duration: datetime.timedelta
    rate_limit_remaining: int
    path: str
    commit_sha: str
    commit: str  # deprecated: commit_sha (kept for one release)
    retry_at: Optional[datetime.datetime]
    error: str
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class WebhookAction(enum.Enum):
    REJECTED = 0
    PING = 1
    IGNORED = 2
    QUEUED = 3
    @property
    def text(self) -> str: ...

class WebhookResult:
    status: int
    action: WebhookAction
    message: str
    project_id: str
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

_Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
_Bytes = Union[bytes, bytearray, memoryview]

class SpecsService(SpecSource):
    def __init__(
        self,
        *,
        mode: SpecsMode = SpecsMode.FILESYSTEM,
        specs_dir: Union[str, os.PathLike[str]] = "",
        database_url: str = "",
        github_token: str = "",
        github_api_url: str = "https://api.github.com",
        github_app_id: int = 0,
        github_app_private_key: str = "",
        github_app_private_key_file: str = "",
        github_app_installation_id: int = 0,
        cache_ttl: _Duration = ...,
        cache_bytes: int = ...,
        webhook_secrets: list[str] = ...,
        revalidation_secret: str = "",
        probe_interval: _Duration = ...,
        sync_deadline: _Duration = ...,
    ) -> None: ...
    @staticmethod
    def from_env() -> "SpecsService": ...
    mode: SpecsMode
    filesystem_project_id: str
    def served_projects(self) -> list[ServedProject]: ...
    def health(self) -> ServiceHealth: ...
    def is_stale(self, *, project_id: str = "") -> bool: ...
    def invalidate(self, ref: Optional[str] = None, *, project_id: str = "") -> None: ...
    def revalidate(self, secret: str, ref: Optional[str] = None, *, project_id: str = "") -> bool: ...
    def cache_stats(self) -> CacheStats: ...
    def update(
        self,
        ref: str,
        *,
        base_hash: str,
        status: Union[None, Status, str] = None,
        priority: Union[None, Priority, str] = None,
        tags_add: _Tags = None,
        tags_remove: _Tags = None,
        depends_on_add: _Tags = None,
        depends_on_remove: _Tags = None,
        parent: Optional[str] = None,
        assignee: Optional[str] = None,
        fields: dict[str, Optional[str]] = {},
        body: Optional[str] = None,
        project_id: str = "",
    ) -> Spec: ...
    def toggle_checklist_item(self, ref: str, index: int, *, base_hash: str, project_id: str = "") -> Spec: ...
    def create(
        self,
        title: str,
        *,
        slug: str = "",
        status: Union[None, Status, str] = None,
        priority: Union[None, Priority, str] = None,
        tags: _Tags = None,
        assignee: str = "",
        body: str = "",
        project_id: str = "",
    ) -> Spec: ...
    def add_project(
        self, id: str, *, branch: str = "main", specs_path: str = "specs",
        sync_interval: _Duration = ...,
        write_mode: Union[None, WriteMode, str] = None,
    ) -> None: ...
    def update_project(
        self,
        id: str,
        *,
        branch: Optional[str] = None,
        specs_path: Optional[str] = None,
        sync_interval: Optional[_Duration] = None,
        write_mode: Union[None, WriteMode, str] = None,
    ) -> None: ...
    def remove_project(self, id: str) -> bool: ...
    def registered_projects(self) -> list[RegisteredProject]: ...
    def import_directory(
        self, project_id: str, specs_dir: Union[str, os.PathLike[str]]
    ) -> ImportResult: ...
    def start_sync(self) -> None: ...
    def stop_sync(self) -> None: ...
    def sync_now(self, project_id: str) -> SyncRun: ...
    def request_sync(self, project_id: str) -> None: ...
    def sync_runs(self, project_id: str, *, limit: int = 20) -> list[SyncRun]: ...
    def handle_webhook(self, headers: _Headers, body: _Bytes) -> WebhookResult: ...
