/*
 * export.c — eacct.export_accounts_xlsx(enterprise_id): the Unified
 * Account Management list as a real Excel workbook, written with
 * libxlsxwriter in constant-memory mode from a cursor (1,000 rows at a
 * time) into a temporary file under the data directory's pgsql_tmp, then
 * returned as bytea.
 */
#include "eacct.h"

#include <ctype.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "xlsxwriter.h"

#if PG_VERSION_NUM >= 170000
#include "common/file_utils.h"	/* PG_TEMP_FILES_DIR and PG_TEMP_FILE_PREFIX moved here from fd.h */
#endif

PG_FUNCTION_INFO_V1(eacct_export_accounts_xlsx);

#define FETCH_ROWS 1000

static EacctPlan export_rows = {
	"SELECT a.enterprise_id, a.account_id, a.name, a.is_ma, a.own_cash,"
	" a.transfer_book, a.credit_limit, a.outstanding, a.overdue,"
	" a.alert_enabled, a.alert_threshold, a.alert_status,"
	" (SELECT pg_catalog.count(*) FROM eacct.coupon c"
	"   WHERE c.enterprise_id OPERATOR(pg_catalog.=) a.enterprise_id"
	"     AND c.account_id OPERATOR(pg_catalog.=) a.account_id AND c.used_at IS NULL"
	"     AND c.valid_from OPERATOR(pg_catalog.<=) pg_catalog.now()"
	"     AND c.valid_until OPERATOR(pg_catalog.>) pg_catalog.now())"
	" FROM eacct.account a WHERE a.enterprise_id OPERATOR(pg_catalog.=) $1"
	" ORDER BY a.account_id",
	1, {INT8OID}
};

static EacctPlan enterprise_exists = {
	"SELECT 1 FROM eacct.enterprise e WHERE e.enterprise_id OPERATOR(pg_catalog.=) $1",
	1, {INT8OID}
};

typedef enum
{
	COL_INT, COL_TEXT, COL_BOOL, COL_MONEY, COL_TIME
} ColKind;

/* the columns of eacct.account_assets, plus the export time */
static const struct
{
	const char *name;
	ColKind		kind;
	double		width;
}			columns[] = {
	{"enterprise_id", COL_INT, 14},
	{"account_id", COL_INT, 12},
	{"account_name", COL_TEXT, 28},
	{"is_ma", COL_BOOL, 8},
	{"available_credit", COL_MONEY, 18},
	{"alert_enabled", COL_BOOL, 14},
	{"alert_threshold", COL_MONEY, 16},
	{"alert_status", COL_TEXT, 13},
	{"cash_balance", COL_MONEY, 16},
	{"transfer_book_balance", COL_MONEY, 22},
	{"valid_coupons", COL_INT, 14},
	{"credit_limit", COL_MONEY, 16},
	{"outstanding", COL_MONEY, 16},
	{"overdue", COL_MONEY, 16},
	{"own_cash", COL_MONEY, 16},
	{"exported_at", COL_TIME, 20},
};
#define NCOLUMNS lengthof(columns)
/* the most characters an Excel cell holds (libxlsxwriter refuses more) */
#define EXCEL_CELL_CHARS 32767

static void
check_lxw(lxw_error err, const char *what)
{
	if (err != LXW_NO_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_IO_ERROR),
				 errmsg("could not write the workbook: %s", what),
				 errdetail("libxlsxwriter reports: %s", lxw_strerror(err))));
}

/*
 * Text as a cell must hold it.  XML 1.0 has no U+FFFE, U+FFFF or C0
 * control characters but tab, newline and carriage return, and a name
 * stored before eacct refused them would make the whole sheet unreadable:
 * each becomes U+FFFD.  So does each byte that does not start a valid
 * UTF-8 sequence: a SQL_ASCII database stores any bytes.  Excel reads
 * "_xHHHH_" in a cell as the character HHHH, so a literal "_x" that
 * starts such a sequence is written as "_x005F_x" (the escaped
 * underscore).  UTF-8 in, UTF-8 out.
 */
static char *
cell_text(const char *s)
{
	StringInfoData out;
	const unsigned char *c = (const unsigned char *) s;

	initStringInfo(&out);
	while (*c)
	{
		int			len = pg_utf_mblen(c);

		/* strnlen: a sequence cut short by the string's end is not valid */
		if ((int) strnlen((const char *) c, len) < len || !pg_utf8_islegal(c, len))
		{
			appendStringInfoString(&out, "\xEF\xBF\xBD");
			c++;
			continue;
		}
		if ((*c < 0x20 && *c != '\t' && *c != '\n' && *c != '\r') ||
			eacct_utf8_noncharacter(c))
			appendStringInfoString(&out, "\xEF\xBF\xBD");
		else if (c[0] == '_' && c[1] == 'x' && isxdigit(c[2]) && isxdigit(c[3]) &&
				 isxdigit(c[4]) && isxdigit(c[5]) && c[6] == '_')
			appendStringInfoString(&out, "_x005F_");
		else
			appendBinaryStringInfo(&out, (const char *) c, len);
		c += len;
	}
	return out.data;
}

/* one data row (row index r of the sheet) from one result tuple */
static void
write_row(lxw_worksheet *ws, lxw_row_t r, HeapTuple tup, TupleDesc desc,
		  lxw_format *money, lxw_format *when, lxw_datetime *now)
{
	int64		own = eacct_int8_col(tup, desc, 5);
	int64		book = eacct_int8_col(tup, desc, 6);
	int64		limit = eacct_int8_col(tup, desc, 7);
	int64		outstanding = eacct_int8_col(tup, desc, 8);
	int64		money_values[NCOLUMNS] = {0};
	char	   *stored = SPI_getvalue(tup, desc, 3);
	/*
	 * The workbook is UTF-8 whatever the database's encoding.  SQL_ASCII
	 * has no conversion, and pg_server_to_any() would fail the export on
	 * the first name that is not UTF-8: cell_text() replaces those bytes.
	 */
	char	   *utf8 = GetDatabaseEncoding() == PG_SQL_ASCII ? stored :
		pg_server_to_any(stored, strlen(stored), PG_UTF8);
	char	   *name = cell_text(utf8);
	char	   *status = SPI_getvalue(tup, desc, 12);

	money_values[4] = rule_available(own, book, limit, outstanding);
	money_values[6] = eacct_int8_col(tup, desc, 11);
	money_values[8] = eacct_add(own, book);
	money_values[9] = book;
	money_values[11] = limit;
	money_values[12] = outstanding;
	money_values[13] = eacct_int8_col(tup, desc, 9);
	money_values[14] = own;

	for (lxw_col_t c = 0; c < NCOLUMNS; c++)
	{
		lxw_error	err = LXW_NO_ERROR;

		switch (c)
		{
			case 0:
				err = worksheet_write_number(ws, r, c, (double) eacct_int8_col(tup, desc, 1), NULL);
				break;
			case 1:
				err = worksheet_write_number(ws, r, c, (double) eacct_int8_col(tup, desc, 2), NULL);
				break;
			case 2:
				err = worksheet_write_string(ws, r, c, name, NULL);
				/* only a name written past the API's limit can be that long */
				if (err == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("the name of account " INT64_FORMAT " is too long for a workbook cell",
									eacct_int8_col(tup, desc, 2)),
							 errdetail("It has %d characters, %d as the workbook stores it (with each _xHHHH_ escaped); a cell holds at most %d.",
									   pg_mbstrlen(stored), (int) lxw_utf8_strlen(name), EXCEL_CELL_CHARS)));
				break;
			case 3:
				err = worksheet_write_boolean(ws, r, c, eacct_bool_col(tup, desc, 4), NULL);
				break;
			case 5:
				err = worksheet_write_boolean(ws, r, c, eacct_bool_col(tup, desc, 10), NULL);
				break;
			case 7:
				err = worksheet_write_string(ws, r, c, status, NULL);
				break;
			case 10:
				err = worksheet_write_number(ws, r, c, (double) eacct_int8_col(tup, desc, 13), NULL);
				break;
			case 15:
				err = worksheet_write_datetime(ws, r, c, now, when);
				break;
			default:
				/* money: cents / 100 is exact to the cent below 2^53 cents */
				err = worksheet_write_number(ws, r, c, (double) money_values[c] / 100.0, money);
				break;
		}
		check_lxw(err, "data cell");
	}
	/* rows stream: keep memory bounded whatever the number of accounts */
	if (utf8 != stored)
		pfree(utf8);
	pfree(stored);
	pfree(name);
	pfree(status);
}

/* read a whole file into a new bytea */
static bytea *
read_file_bytea(const char *path)
{
	struct stat st;
	bytea	   *result;
	FILE	   *f;

	if (stat(path, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat file \"%s\": %m", path)));
	if ((Size) st.st_size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("workbook is too large to return as bytea"),
				 errdetail("The workbook has %lld bytes; bytea holds at most 1 GB.",
						   (long long) st.st_size)));
	result = palloc(st.st_size + VARHDRSZ);
	SET_VARSIZE(result, st.st_size + VARHDRSZ);
	f = AllocateFile(path, PG_BINARY_R);
	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open file \"%s\": %m", path)));
	if (fread(VARDATA(result), 1, st.st_size, f) != (size_t) st.st_size)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not read file \"%s\": %m", path)));
	FreeFile(f);
	return result;
}

/*
 * The worksheet's rows go to libxlsxwriter's temporary file with stdio, not
 * through PostgreSQL's temporary files, which temp_file_limit bounds: the
 * export checks that file against the limit itself, as the rows come
 * (the workbook it then makes is the compressed rows).
 */
static void
check_temp_file_limit(lxw_worksheet *ws, int64 ent)
{
	long		used;

	if (temp_file_limit < 0 || ws->optimize_tmpfile == NULL)
		return;
	used = ftell(ws->optimize_tmpfile);
	if (used >= 0 && used / 1024 > temp_file_limit)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("temporary file size exceeds temp_file_limit (%dkB)", temp_file_limit),
				 errdetail("The export of enterprise " INT64_FORMAT " had written %ld kB of worksheet rows.",
						   ent, used / 1024)));
}

/*
 * export_accounts_xlsx(enterprise_id bigint) -> bytea
 *
 * Administrators of the enterprise (42501 otherwise); unknown enterprise
 * P0002.  One row per account, ordered by account_id.
 */
Datum
eacct_export_accounts_xlsx(PG_FUNCTION_ARGS)
{
	static uint32 counter = 0;
	EacctCall	call;
	int64		ent = eacct_id_arg(fcinfo, 0, "enterprise_id");
	char	   *dir = psprintf("base/%s", PG_TEMP_FILES_DIR);
	char	   *path;
	Datum		values[1] = {Int64GetDatum(ent)};
	lxw_workbook *volatile wb = NULL;
	lxw_worksheet *volatile sheet = NULL;
	bytea	   *result = NULL;
	struct pg_tm tm;
	fsec_t		fsec;
	lxw_datetime now;

	if (timestamp2tm(GetCurrentTransactionStartTimestamp(), NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "timestamp out of range");
	now.year = tm.tm_year;
	now.month = tm.tm_mon;
	now.day = tm.tm_mday;
	now.hour = tm.tm_hour;
	now.min = tm.tm_min;
	now.sec = tm.tm_sec;

	eacct_enter(&call, fcinfo);
	if (eacct_exec(&enterprise_exists, values, NULL, true, 0) != 1)
		eacct_enterprise_not_found(ent);
	eacct_check_admin(&call, ent);

	(void) MakePGDirectory(dir);
	path = psprintf("%s/%s_eacct_%d.%u.xlsx", dir, PG_TEMP_FILE_PREFIX, MyProcPid, counter++);
	PG_TRY();
	{
		lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = dir};
		lxw_worksheet *ws;
		lxw_format *bold,
				   *money,
				   *when;
		Portal		portal;
		lxw_row_t	r = 1;

		wb = workbook_new_opt(path, &opts);
		if (wb == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_IO_ERROR),
					 errmsg("could not create workbook \"%s\"", path)));
		ws = sheet = workbook_add_worksheet(wb, "Accounts");
		/* NULL when its temporary file (constant-memory rows) cannot be made */
		if (ws == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_IO_ERROR),
					 errmsg("could not create the worksheet of workbook \"%s\"", path)));
		bold = workbook_add_format(wb);
		format_set_bold(bold);
		money = workbook_add_format(wb);
		format_set_num_format(money, "#,##0.00");
		when = workbook_add_format(wb);
		format_set_num_format(when, "yyyy-mm-dd hh:mm:ss");
		for (lxw_col_t c = 0; c < NCOLUMNS; c++)
		{
			check_lxw(worksheet_set_column(ws, c, c, columns[c].width, NULL), "column");
			check_lxw(worksheet_write_string(ws, 0, c, columns[c].name, bold), "header");
		}
		worksheet_freeze_panes(ws, 1, 0);

		/* prepared only: running it here would read every row at once */
		portal = SPI_cursor_open(NULL, eacct_prepare(&export_rows), values, NULL, true);
		for (;;)
		{
			SPI_cursor_fetch(portal, true, FETCH_ROWS);
			if (SPI_processed == 0)
				break;
			for (uint64 i = 0; i < SPI_processed; i++)
			{
				if (r >= LXW_ROW_MAX)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("enterprise " INT64_FORMAT " has too many accounts for one worksheet", ent),
							 errdetail("A worksheet holds %d rows, the header and %d accounts.",
									   (int) LXW_ROW_MAX, (int) LXW_ROW_MAX - 1)));
				write_row(ws, r++, SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
						  money, when, &now);
			}
			SPI_freetuptable(SPI_tuptable);
			check_temp_file_limit(ws, ent);
			CHECK_FOR_INTERRUPTS();
		}
		SPI_cursor_close(portal);
		if (r > 1)
			check_lxw(worksheet_autofilter(ws, 0, 0, r - 1, NCOLUMNS - 1), "filter");

		{
			lxw_error	err = workbook_close(wb);

			wb = NULL;
			check_lxw(err, "closing");
		}
		/* the bytea must outlive SPI_finish */
		{
			MemoryContext old = MemoryContextSwitchTo(call.outer);

			result = read_file_bytea(path);
			MemoryContextSwitchTo(old);
		}
	}
	PG_FINALLY();
	{
		if (wb != NULL)
		{
			/* lxw_workbook_free() leaves constant-memory mode's row file open */
			if (sheet != NULL && sheet->optimize_tmpfile != NULL)
				fclose(sheet->optimize_tmpfile);
			lxw_workbook_free(wb);
		}
		(void) unlink(path);
	}
	PG_END_TRY();
	eacct_leave(&call);
	PG_RETURN_BYTEA_P(result);
}
